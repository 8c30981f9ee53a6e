import Assignment
import Benchmark
import Foundation

/// package-benchmark suite: the solver on seeded random matrices of the shapes the
/// comparison uses (`swift package benchmark` in Benchmarks/).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(20), maxIterations: 10)

    func uniform(_ n: Int, _ m: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<(n * m)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }
    for n in [1000, 2000, 4000] {
        let values = uniform(n, n, seed: UInt64(n))
        Benchmark("square uniform n=\(n)") { benchmark in
            blackHole(try AssignmentProblem(rows: n, columns: n, values: values).solve())
        }
    }
    let integer = uniform(2000, 2000, seed: 7).map { ($0 * 100).rounded(.down) }
    Benchmark("square integer [0,100) n=2000") { benchmark in
        blackHole(try AssignmentProblem(rows: 2000, columns: 2000, values: integer).solve())
    }
    let rectangular = uniform(1469, 10000, seed: 11)
    Benchmark("rectangular 1469x10000 maximise") { benchmark in
        blackHole(try AssignmentProblem(rows: 1469, columns: 10000, values: rectangular, objective: .maximize).solve())
    }
}
