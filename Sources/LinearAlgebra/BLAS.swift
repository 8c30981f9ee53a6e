#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Every call into BLAS and LAPACK lives in this file.
enum BLAS {
    /// C = A · B[range]ᵀ (single precision, row-major).
    static func gemmABt(_ a: Matrix, _ b: Matrix, otherRows range: Range<Int>? = nil, into c: inout Matrix) {
        let range = range ?? 0..<b.rows
        let m = Int32(a.rows), n = Int32(range.count), k = Int32(a.columns)
        guard m > 0, n > 0 else { return }
        guard k > 0 else { c.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }; return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                                1, pa.baseAddress, k, pb.baseAddress! + range.lowerBound * Int(k), k,
                                0, pc.baseAddress, n)
                }
            }
        }
    }

    /// C = A · B[range]ᵀ (double precision, row-major).
    static func dgemmABt(_ a: MatrixD, _ b: MatrixD, otherRows range: Range<Int>, into c: inout MatrixD) {
        let m = Int32(a.rows), n = Int32(range.count), k = Int32(a.columns)
        guard m > 0, n > 0 else { return }
        guard k > 0 else { c.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }; return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                                1, pa.baseAddress, k, pb.baseAddress! + range.lowerBound * Int(k), k,
                                0, pc.baseAddress, n)
                }
            }
        }
    }
}
