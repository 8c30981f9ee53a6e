// swift-tools-version: 6.1
// libFuzzer targets for the readers and the solver, in their own package so that building
// Twinning never builds them. Run: Fuzz/run [SECONDS_PER_TARGET] (see Fuzz/README.md).
import Foundation
import PackageDescription

// A path dependency is named after its folder: find what the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let targets = ["fuzz-csv", "fuzz-json", "fuzz-yaml", "fuzz-matrix", "fuzz-solver"]

let package = Package(
    name: "TwinningFuzz",
    dependencies: [.package(path: "..")],
    targets: [.target(name: "FuzzDriver")] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzDriver", .product(name: name == "fuzz-solver" ? "Assignment" : "Twinning", package: root)])
    }
)
