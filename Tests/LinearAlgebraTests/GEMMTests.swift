import Testing
@testable import LinearAlgebra
import SeededRandom

@Suite struct GEMMTests {
    @Test("A·Bᵀ through BLAS equals a plain Swift triple loop, in both precisions",
          arguments: [(1, 1, 1), (7, 5, 3), (64, 130, 32), (3, 1000, 17)])
    func matchesReference(shape: (Int, Int, Int)) {
        check(Float.self, shape, tolerance: 1e-5)
        check(Double.self, shape, tolerance: 1e-12)
    }

    func check<T: BLASScalar>(_: T.Type, _ shape: (Int, Int, Int), tolerance: T) {
        let (m, n, k) = shape
        var random = SplitMix64(seed: UInt64(m * 131 + n * 7 + k))
        let a = DenseMatrix<T>(rows: m, columns: k, storage: (0..<(m * k)).map { _ in T(random.nextUnit() - 0.5) })
        let b = DenseMatrix<T>(rows: n, columns: k, storage: (0..<(n * k)).map { _ in T(random.nextUnit() - 0.5) })
        let c = a.timesTransposed(b)
        let block = a.timesTransposed(b, rows: (n / 3)..<n)
        for i in 0..<m {
            for j in 0..<n {
                var s: T = 0
                for t in 0..<k { s += a[i, t] * b[j, t] }
                #expect(abs(c[i, j] - s) <= tolerance * max(1, abs(s)), "(\(i), \(j))")
                // A block of columns agrees with the whole product to rounding (not bit for
                // bit: OpenBLAS's kernels sum in an order that depends on the shape).
                if j >= n / 3 { #expect(abs(block[i, j - n / 3] - c[i, j]) <= tolerance * max(1, abs(s))) }
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

@Suite struct LeastSquaresTests {
    @Test("LAPACK least squares recovers the coefficients of an exact linear model")
    func exact() throws {
        // y = 2 + 3·x1 − 0.5·x2 on 6 points.
        let xs: [(Double, Double)] = [(0, 1), (1, 0), (2, 2), (3, 5), (4, 1), (5, 3)]
        let a = MatrixD(rows: 6, columns: 3, storage: xs.flatMap { [1, $0.0, $0.1] })
        let b = xs.map { 2 + 3 * $0.0 - 0.5 * $0.1 }
        let x = try #require(a.leastSquares(b))
        #expect(zip(x, [2, 3, -0.5]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test("over-determined noisy system matches the normal equations")
    func normalEquations() throws {
        // Fit a line to (0,1), (1,2), (2,2): x = (7/6, 1/2).
        let a = MatrixD(rows: 3, columns: 2, storage: [1, 0, 1, 1, 1, 2])
        let x = try #require(a.leastSquares([1, 2, 2]))
        #expect(abs(x[0] - 7.0 / 6) < 1e-12 && abs(x[1] - 0.5) < 1e-12)
    }

    @Test("dependent columns are reported, not answered")
    func rankDeficient() {
        let a = MatrixD(rows: 3, columns: 2, storage: [1, 2, 2, 4, 3, 6])
        #expect(a.leastSquares([1, 2, 3]) == nil)
    }

    @Test("a BLAS or LAPACK library that cannot be opened is a message with what to install, not a trap; LAPACK opens here")
    func missingLibrary() {
        #expect(BLASRuntime.prepareLAPACK() == nil)
        #if !canImport(Accelerate)
        do {
            _ = try BLASLibrary.open("liblapack-not-installed.so.3")
            Issue.record("opened a library that is not there")
        } catch {
            #expect(error.message.hasPrefix("cannot open liblapack-not-installed.so.3 (")
                    && error.message.hasSuffix("install libopenblas0-pthread, or another BLAS and LAPACK (Debian: libblas3, liblapack3)"),
                    "\(error.message)")
        }
        #endif
    }
}
