// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Twinning",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "twinning", targets: ["twinning"]),
        .library(name: "Twinning", targets: ["Twinning"]),
        .library(name: "Assignment", targets: ["Assignment"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "SeededRandom", targets: ["SeededRandom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        // Spreadsheets (XLSX is a ZIP of XML parts).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/CoreOffice/XMLCoder", from: "0.18.2"),
        // Documentation only (`swift package generate-documentation`): builds nothing else.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Public API

        /// Exact linear assignment (rectangular, with slots, forbidden and locked pairs).
        /// Depends on nothing, so anyone can use it on its own.
        .target(name: "Assignment"),

        /// One seeded generator (SplitMix64) for research splits, tests and benchmarks.
        .target(name: "SeededRandom"),

        /// The only code that calls BLAS and LAPACK.
        .target(name: "LinearAlgebra", dependencies: [
            .target(name: "CBLAS", condition: .when(platforms: [.linux])),
        ]),

        // The library's layers, each importing only those before it, so the compiler refuses
        // a cycle:  Shared → Input → Scoring → Matching → Research → Output.

        /// What every layer uses: numbers as text, buffers shared by worker threads.
        .target(name: "TwinningShared"),

        /// Reading what users give: CSV, JSON and YAML files, registries, ties, errors with
        /// file:line:column.
        .target(name: "TwinningInput", dependencies: [
            "TwinningShared", "LinearAlgebra",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        /// Score components, weights, the score model (BLAS).
        .target(name: "TwinningScoring", dependencies: ["TwinningShared", "TwinningInput", "LinearAlgebra"]),

        /// Rules, restrictions, the matching instance and the exact matcher.
        .target(name: "TwinningMatching", dependencies: ["TwinningShared", "TwinningInput", "TwinningScoring", "Assignment"]),

        /// The proposal tables and their files: CSV, JSON, the HTML report; output folders.
        .target(name: "TwinningOutput", dependencies: [
            "TwinningShared", "TwinningInput", "TwinningScoring", "TwinningMatching", "TwinningResearch",
            .product(name: "Plot", package: "Plot"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),

        /// Measuring and fitting the scores against real partnerships; how stable proposals are.
        .target(name: "TwinningResearch", dependencies: [
            "TwinningShared", "TwinningInput", "TwinningScoring", "TwinningMatching", "LinearAlgebra", "SeededRandom",
        ]),

        /// The library as one import: every layer, re-exported (and the DocC catalogue).
        .target(name: "Twinning", dependencies: [
            "TwinningShared", "TwinningInput", "TwinningScoring", "TwinningMatching", "TwinningOutput", "TwinningResearch",
        ]),

        /// Sign-ups from form exports: mappings, names resolved to the registry, the overlay.
        .target(name: "TwinningIntake", dependencies: [
            "TwinningShared", "TwinningInput", "TwinningOutput",
            .product(name: "Yams", package: "Yams"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "XMLCoder", package: "XMLCoder"),
        ]),

        /// The nightly batch: jobs, the SQLite run store, decisions, diffs, logs.
        .target(name: "TwinningBatch", dependencies: [
            "Twinning",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        /// The command-line tool: thin, all work happens in the libraries.
        .executableTarget(name: "twinning", dependencies: [
            "Twinning", "TwinningBatch", "TwinningIntake", "Assignment", "LinearAlgebra",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .target(name: "CMalloc", condition: .when(platforms: [.linux])),
        ]),

        // MARK: - Implementation details

        /// The CBLAS header from the system (Debian: libblas-dev); the BLAS and LAPACK
        /// libraries are opened at run time, not linked (OpenBLAS: libopenblas0-pthread).
        /// glibc's `mallopt`, which Swift's Glibc module does not export.
        .systemLibrary(name: "CMalloc"),

        .systemLibrary(name: "CBLAS", providers: [
            .apt(["libblas-dev", "liblapack-dev", "libopenblas0-pthread"]),
        ]),

        // MARK: - Unit test bundles

        .testTarget(name: "AssignmentTests", dependencies: ["Assignment", "SeededRandom", "TwinningTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "SeededRandom"]),
        .testTarget(name: "TwinningTests", dependencies: ["Twinning", "TwinningBatch", "TwinningIntake", "SeededRandom", "TwinningTestSupport"]),
        /// Runs the built `twinning` binary on real files.
        .testTarget(name: "EndToEndTests", dependencies: ["Twinning", "TwinningBatch", "SeededRandom", "TwinningTestSupport", "twinning", "batch-crash"],
                    exclude: ["Fixtures"]),
        /// What the test bundles share: running programs, scratch folders (not a product).
        .target(name: "TwinningTestSupport", dependencies: ["Assignment"], path: "Tests/Support"),
        /// Test helper (not a product): a batch run that kills itself at a chosen checkpoint.
        .executableTarget(name: "batch-crash", dependencies: ["TwinningBatch"], path: "Tests/Helpers/batch-crash"),
    ]
)
