#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
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
                if T.self == Float.self {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                                1, pa.assumingMemoryBound(to: Float.self), k, pb.assumingMemoryBound(to: Float.self), k,
                                0, pc.assumingMemoryBound(to: Float.self), n)
                } else if T.self == Double.self {
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
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
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(k), Int32(n), 1, y, Int32(n), 0, c, Int32(k))
    }

    /// Tells OpenBLAS to run each call on the calling thread alone (for callers that split
    /// the work over the cores themselves: OpenBLAS's own workers would otherwise spin
    /// between calls and take those cores). Other BLAS implementations: no effect.
    static func runOnCallingThread() {
        #if os(Linux)
        typealias SetThreads = @convention(c) (Int32) -> Void
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "openblas_set_num_threads") {
            unsafeBitCast(symbol, to: SetThreads.self)(1)
        }
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
        dgels_(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &query, &lwork, &info, 1)
        #endif
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        #if canImport(Accelerate)
        dgels_(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &work, &lwork, &info)
        #else
        dgels_(&trans, &mm, &nn, &nrhs, &colMajor, &lda, &rhs, &ldb, &work, &lwork, &info, 1)
        #endif
        guard info == 0 else { return nil }
        // dgels assumes full rank; check R's diagonal (left in the upper triangle).
        let diagonal = (0..<n).map { abs(colMajor[$0 * m + $0]) }
        let tolerance = (diagonal.max() ?? 0) * Double(max(m, n)) * Double.ulpOfOne
        guard diagonal.allSatisfy({ $0 > tolerance }) else { return nil }
        return Array(rhs.prefix(n))
    }
}
