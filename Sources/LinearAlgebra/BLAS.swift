#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#if canImport(Glibc)
import Glibc
#endif
#endif
import Foundation

/// The element types BLAS multiplies: single and double precision.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {}
extension Float: BLASScalar {}
extension Double: BLASScalar {}

/// Every call into BLAS and LAPACK lives in this file.
enum BLAS {
    /// C = A[aRows] · B[bRows]ᵀ, row-major, through sgemm or dgemm by element type; C is
    /// `aRows.count × bRows.count` with row stride `bRows.count`, written whole.
    static func gemmABt<T: BLASScalar>(_ a: DenseMatrix<T>, rows aRows: Range<Int>, _ b: DenseMatrix<T>, rows bRows: Range<Int>,
                                       into c: UnsafeMutablePointer<T>) {
        let m = Int32(aRows.count), n = Int32(bRows.count), k = Int32(a.columns)
        guard m > 0, n > 0 else { return }
        guard k > 0 else { c.update(repeating: 0, count: aRows.count * bRows.count); return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                let pa = UnsafeRawPointer(pa.baseAddress! + aRows.lowerBound * Int(k))
                let pb = UnsafeRawPointer(pb.baseAddress! + bRows.lowerBound * Int(k))
                let pc = UnsafeMutableRawPointer(c)
                #if canImport(Accelerate)
                let sgemm = cblas_sgemm, dgemm = cblas_dgemm
                #else
                let sgemm = BLASLibrary.blas.sgemm, dgemm = BLASLibrary.blas.dgemm
                #endif
                if T.self == Float.self {
                    sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                          1, pa.assumingMemoryBound(to: Float.self), k, pb.assumingMemoryBound(to: Float.self), k,
                          0, pc.assumingMemoryBound(to: Float.self), n)
                } else if T.self == Double.self {
                    dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                          1, pa.assumingMemoryBound(to: Double.self), k, pb.assumingMemoryBound(to: Double.self), k,
                          0, pc.assumingMemoryBound(to: Double.self), n)
                } else {
                    preconditionFailure("BLAS multiplies Float or Double only")
                }
            }
        }
    }

    /// The upper triangle of `C = Y · Yᵀ` (ssyrk), Y row-major `k × n` with row stride
    /// `n`, C row-major `k × k`, written whole (the lower triangle left as it was).
    static func gramian(_ y: UnsafePointer<Float>, rows k: Int, columns n: Int, into c: UnsafeMutablePointer<Float>) {
        guard k > 0 else { return }
        guard n > 0 else { for r in 0..<k { (c + r * k + r).update(repeating: 0, count: k - r) }; return }
        #if canImport(Accelerate)
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(k), Int32(n), 1, y, Int32(n), 0, c, Int32(k))
        #else
        BLASLibrary.blas.ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(k), Int32(n), 1, y, Int32(n), 0, c, Int32(k))
        #endif
    }

    /// Tells OpenBLAS to run each call on the calling thread alone (for callers that split
    /// the work over the cores themselves: OpenBLAS's own workers would otherwise spin
    /// between calls and take those cores). Other BLAS implementations: no effect.
    static func runOnCallingThread() {
        #if !canImport(Accelerate)
        BLASLibrary.blas.setThreads?(1)
        #endif
    }

    /// Least squares `min ‖A x − b‖₂` through LAPACK dgels (QR); `a` is row-major m × n
    /// with m ≥ n and full column rank. Returns nil when LAPACK reports rank deficiency.
    static func leastSquares(_ a: MatrixD, _ b: [Double]) -> [Double]? {
        let m = a.rows, n = a.columns
        precondition(b.count == m && m >= n, "least squares needs as many equations as unknowns")
        // LAPACK is column-major: transpose A into a column-major copy.
        var colMajor = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { colMajor[j * m + i] = a.storage[i * n + j] } }
        var rhs = b
        var trans = CChar(UInt8(ascii: "N"))
        var mm = Int32(m), nn = Int32(n), nrhs: Int32 = 1, lda = Int32(max(m, 1)), ldb = Int32(max(m, 1))
        var info: Int32 = 0, lwork: Int32 = -1
        var query = 0.0
        #if canImport(Accelerate)
        dgels_(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &query, &lwork, &info)
        #else
        BLASLibrary.lapack.dgels(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &query, &lwork, &info, 1)
        #endif
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        #if canImport(Accelerate)
        dgels_(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &work, &lwork, &info)
        #else
        BLASLibrary.lapack.dgels(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &work, &lwork, &info, 1)
        #endif
        guard info == 0 else { return nil }
        // dgels assumes full rank; check R's diagonal (left in the upper triangle).
        let diagonal = (0..<n).map { abs(colMajor[$0 * m + $0]) }
        let tolerance = (diagonal.max() ?? 0) * Double(max(m, n)) * Double.ulpOfOne
        guard diagonal.allSatisfy({ $0 > tolerance }) else { return nil }
        return Array(rhs.prefix(n))
    }
}

#if !canImport(Accelerate)
/// BLAS and LAPACK as shared libraries this process opens (Linux) rather than links: a
/// linked OpenBLAS loads before `main` and reads its settings (kernels, threads) from the
/// environment right then, so a program could only set them by starting itself again.
/// Opened at first use, after ``BLASRuntime`` has put the missing settings in the
/// environment; `twinning` opens them first thing (``BLASRuntime/prepare()``).
enum BLASLibrary {
    typealias SGEMM = @convention(c) (CBLAS_LAYOUT, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias DGEMM = @convention(c) (CBLAS_LAYOUT, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Double,
                                      UnsafePointer<Double>?, Int32, UnsafePointer<Double>?, Int32, Double, UnsafeMutablePointer<Double>?, Int32) -> Void
    typealias SSYRK = @convention(c) (CBLAS_LAYOUT, CBLAS_UPLO, CBLAS_TRANSPOSE, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    /// LAPACK's Fortran dgels: every argument by reference, then the hidden length of `trans`.
    typealias DGELS = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?,
                                      UnsafeMutablePointer<Double>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?,
                                      UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?, UnsafePointer<Int32>?,
                                      UnsafeMutablePointer<Int32>?, Int) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void
    typealias CoreName = @convention(c) () -> UnsafeMutablePointer<CChar>?

    struct Blas {
        let sgemm: SGEMM, dgemm: DGEMM, ssyrk: SSYRK
        /// OpenBLAS's own: nil for another BLAS.
        let setThreads: SetThreads?, coreName: CoreName?
    }
    struct Lapack { let dgels: DGELS }

    static let blasName = "libblas.so.3", lapackName = "liblapack.so.3"

    /// BLAS, opened (with OpenBLAS's missing settings set first) on first use.
    static let blas: Blas = {
        switch openedBLAS {
        case .success(let blas): return blas
        case .failure(let problem): fatalError(problem.message)
        }
    }()

    /// LAPACK, opened on first use (only least squares needs it): commands that solve
    /// least squares check ``openedLAPACK`` first (``BLASRuntime/prepareLAPACK()``), so a
    /// missing library is an error with the install hint, not a trap here.
    static let lapack: Lapack = {
        switch openedLAPACK {
        case .success(let lapack): return lapack
        case .failure(let problem): fatalError(problem.message)
        }
    }()

    /// The outcome of opening LAPACK, once per process.
    static let openedLAPACK: Result<Lapack, Problem> = Result { () throws(Problem) -> Lapack in
        _ = openedBLAS
        let handle = try open(lapackName)
        return Lapack(dgels: try symbol(handle, "dgels_", in: lapackName))
    }

    /// The outcome of opening BLAS, once per process.
    static let openedBLAS: Result<Blas, Problem> = Result { () throws(Problem) -> Blas in
        BLASRuntime.setMissingSettings()
        let handle = try open(blasName)
        return Blas(sgemm: try symbol(handle, "cblas_sgemm", in: blasName), dgemm: try symbol(handle, "cblas_dgemm", in: blasName),
                    ssyrk: try symbol(handle, "cblas_ssyrk", in: blasName),
                    setThreads: try? symbol(handle, "openblas_set_num_threads", in: blasName),
                    coreName: try? symbol(handle, "openblas_get_corename", in: blasName))
    }

    struct Problem: Error { let message: String }

    static func open(_ name: String) throws(Problem) -> UnsafeMutableRawPointer {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
            throw Problem(message: "cannot open \(name) (\(dlerror().map { String(cString: $0) } ?? "unknown reason")): "
                + "install libopenblas0-pthread, or another BLAS and LAPACK (Debian: libblas3, liblapack3)")
        }
        return handle
    }

    static func symbol<F>(_ handle: UnsafeMutableRawPointer, _ name: String, in library: String) throws(Problem) -> F {
        guard let address = dlsym(handle, name) else { throw Problem(message: "\(library) has no \(name): it is not a BLAS or LAPACK library") }
        return unsafeBitCast(address, to: F.self)
    }
}
#endif
