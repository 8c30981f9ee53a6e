/// A dense row-major matrix of `Float`.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var storage: [Float]

    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(storage.count == rows * columns, "matrix storage does not match its shape")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, storage: Array(repeating: value, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// `A · Bᵀ`: every row of `self` against every row of `other` (GEMM).
    ///
    /// - Complexity: O(rows · other.rows · columns) flops, run by BLAS.
    public func timesTransposed(_ other: Matrix) -> Matrix {
        precondition(columns == other.columns, "inner dimensions differ")
        var result = Matrix(rows: rows, columns: other.rows)
        BLAS.gemmABt(self, other, into: &result)
        return result
    }
}
