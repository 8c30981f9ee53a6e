import Testing
@testable import LinearAlgebra

@Suite struct GEMMTests {
    @Test("A·Bᵀ through BLAS equals a plain Swift triple loop", arguments: [(1, 1, 1), (7, 5, 3), (64, 130, 32), (3, 1000, 17)])
    func matchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var state: UInt64 = UInt64(m * 131 + n * 7 + k)
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let a = Matrix(rows: m, columns: k, storage: (0..<(m * k)).map { _ in next() })
        let b = Matrix(rows: n, columns: k, storage: (0..<(n * k)).map { _ in next() })
        let c = a.timesTransposed(b)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for t in 0..<k { s += a[i, t] * b[j, t] }
                #expect(abs(c[i, j] - s) <= 1e-5 * max(1, abs(s)), "(\(i), \(j))")
            }
        }
    }

    @Test("CPU features map to a safe OpenBLAS core type")
    func coreTypes() {
        #expect(BLASRuntime.recommendedCoreType(cpuFlags: ["avx512f", "avx512vl", "avx2", "fma"]) == "SkylakeX")
        #expect(BLASRuntime.recommendedCoreType(cpuFlags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASRuntime.recommendedCoreType(cpuFlags: ["sse4_2"]) == nil)
        #expect(BLASRuntime.detectedCore != nil, "OpenBLAS should be the BLAS at run time")
    }
}
