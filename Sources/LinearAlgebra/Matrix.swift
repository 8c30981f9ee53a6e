/// A dense row-major matrix.
public struct DenseMatrix<Element: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major elements; the shape never changes, so only this module writes it whole.
    public internal(set) var storage: [Element]

    public init(rows: Int, columns: Int, storage: [Element]) {
        precondition(storage.count == rows * columns, "matrix storage does not match its shape")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    public init(rows: Int, columns: Int, repeating value: Element = 0) {
        self.init(rows: rows, columns: columns, storage: Array(repeating: value, count: rows * columns))
    }

    /// Storage left unwritten, for results that BLAS overwrites whole (β = 0): zeroing a
    /// large product first costs as much as computing it.
    public init(uninitializedRows rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, storage: Array(unsafeUninitializedCapacity: rows * columns) { _, count in
            count = rows * columns
        })
    }

    public subscript(row: Int, column: Int) -> Element {
        // Inlinable, so that a client reading many elements gets code for its element type
        // rather than generic code that looks the type up on every access.
        @inlinable get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// `A · Bᵀ`: every row of `self` against every row of `other` (GEMM).
    ///
    /// - Complexity: O(rows · other.rows · columns) flops, run by BLAS.
    public func timesTransposed(_ other: DenseMatrix) -> DenseMatrix {
        timesTransposed(other, rows: 0..<other.rows)
    }

    /// `A · Bᵀ` for rows `range` of `other` only (a block of columns of the product).
    public func timesTransposed(_ other: DenseMatrix, rows range: Range<Int>) -> DenseMatrix {
        var result = DenseMatrix(uninitializedRows: rows, columns: range.count)
        timesTransposed(other, rows: range, into: &result)
        return result
    }

    /// The same into an existing `rows × range.count` matrix, so blocked loops reuse
    /// their buffers (fresh multi-megabyte arrays cost page faults on every block).
    public func timesTransposed(_ other: DenseMatrix, rows range: Range<Int>, into result: inout DenseMatrix) {
        precondition(columns == other.columns, "inner dimensions differ")
        precondition(result.rows == rows && result.columns == range.count, "result has the wrong shape")
        let rows = self.rows
        result.storage.withUnsafeMutableBufferPointer { c in
            BLAS.gemmABt(self, rows: 0..<rows, other, rows: range, into: c.baseAddress!)
        }
    }

    /// `A[rows] · B[otherRows]ᵀ` into caller-owned memory of `rows.count × otherRows.count`
    /// elements (row stride `otherRows.count`): one thread's share of a product split by
    /// rows. Call ``useCallingThreadOnly()`` first when several threads do this at once.
    ///
    /// - Complexity: O(rows.count · otherRows.count · columns) flops, run by BLAS.
    public func timesTransposed(rows: Range<Int>, _ other: DenseMatrix, rows otherRows: Range<Int>,
                                into result: UnsafeMutablePointer<Element>) {
        precondition(columns == other.columns, "inner dimensions differ")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= self.rows && otherRows.lowerBound >= 0
                     && otherRows.upperBound <= other.rows, "rows out of range")
        BLAS.gemmABt(self, rows: rows, other, rows: otherRows, into: result)
    }

    /// The Gram matrix `Y · Yᵀ` of `k` rows of length `n` (row-major, row stride `n`) into
    /// `k × k` caller-owned memory; only the upper triangle (column ≥ row) is written.
    /// Weighted second moments `Σ w·x·xᵀ` are this with rows `√w ⊙ x`.
    ///
    /// - Complexity: O(k² · n) flops, run by BLAS (ssyrk).
    public static func gramian(rows y: UnsafePointer<Float>, count k: Int, length n: Int, into c: UnsafeMutablePointer<Float>) {
        BLAS.gramian(y, rows: k, columns: n, into: c)
    }

    /// Makes BLAS run each product on the calling thread only, for code that splits
    /// products over the cores itself (see ``timesTransposed(rows:_:rows:into:)``).
    public static func useCallingThreadOnly() { BLAS.runOnCallingThread() }

    /// Each row scaled to unit Euclidean length (zero rows stay zero).
    @inlinable
    public func rowNormalized() -> DenseMatrix {
        var out = storage
        for i in 0..<rows {
            let row = i * columns
            var s: Element = 0
            for k in 0..<columns { s += storage[row + k] * storage[row + k] }
            guard s > 0 else { continue }
            let inverse = 1 / s.squareRoot()
            for k in 0..<columns { out[row + k] = storage[row + k] * inverse }
        }
        return DenseMatrix(rows: rows, columns: columns, storage: out)
    }
}

/// Single precision: features and scores.
public typealias Matrix = DenseMatrix<Float>
/// Double precision: the few products that need it (great-circle distances from unit
/// vectors).
public typealias MatrixD = DenseMatrix<Double>

extension MatrixD {
    /// The `x` minimising `‖self · x − b‖₂` (LAPACK dgels, QR factorisation), or nil when
    /// the columns are linearly dependent.
    ///
    /// - Complexity: O(rows · columns²).
    public func leastSquares(_ b: [Double]) -> [Double]? {
        BLAS.leastSquares(self, b)
    }
}
