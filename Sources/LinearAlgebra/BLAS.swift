#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Every call into BLAS and LAPACK lives in this file.
enum BLAS {
    /// C = A · Bᵀ (single precision, row-major).
    static func gemmABt(_ a: Matrix, _ b: Matrix, into c: inout Matrix) {
        let m = Int32(a.rows), n = Int32(b.rows), k = Int32(a.columns)
        guard m > 0, n > 0 else { return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                                1, pa.baseAddress, max(k, 1), pb.baseAddress, max(k, 1),
                                0, pc.baseAddress, n)
                }
            }
        }
    }
}
