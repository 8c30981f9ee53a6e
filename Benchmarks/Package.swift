// swift-tools-version: 6.1
// Benchmarks live in their own package so that building and testing Twinning does not
// build package-benchmark. Run: Benchmarks/compare-assignment.sh
import Foundation
import PackageDescription

// A path dependency is named after its folder: find what the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "TwinningBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AssignmentBenchmark",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Assignment", package: root),
            ],
            path: "AssignmentBenchmark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        /// Times the solver on the peer script's matrices and prints JSON medians, so the
        /// comparison script can put Swift, scipy and lapjv side by side from one run.
        .executableTarget(
            name: "assignment-timing",
            dependencies: [.product(name: "Assignment", package: root)]),
        /// Times each stage of `twinning match` (fastest of several runs).
        .executableTarget(
            name: "match-timing",
            dependencies: [
                .product(name: "Twinning", package: root),
                .product(name: "Assignment", package: root),
                .product(name: "LinearAlgebra", package: root),
            ]),
        /// Times loading, GEMM and full scoring on the shipped data for the numpy comparison.
        .executableTarget(
            name: "scoring-timing",
            dependencies: [
                .product(name: "Twinning", package: root),
                .product(name: "LinearAlgebra", package: root),
            ]),
    ]
)
