/// A linear assignment problem on a dense cost (or score) matrix.
///
/// Rows and columns are the two sides. Each row wants `rowDemands[i]` partners
/// (default 1) and each column can take `columnCapacities[j]` (default 1); a pair is used
/// at most once. Cells that are masked out, or hold an infinite value, are forbidden.
///
/// Two modes:
/// - **Full** (no `threshold`): as many pairs as the smaller side can take are required,
///   `min(Σ demands, Σ capacities)`, exactly like `scipy.optimize.linear_sum_assignment`
///   on a rectangular matrix. When forbidden cells make that impossible, solving throws
///   ``AssignmentError`` naming a set of rows (or columns) that cannot all be served.
/// - **Partial** (with a `threshold`): cells worse than the threshold are forbidden and a
///   row may keep part or all of its demand unmatched; each unmatched slot is valued at
///   the threshold. Equivalently, the solver maximises `Σ (score − threshold)` (or
///   minimises `Σ (cost − threshold)`) over the chosen pairs, so a row is left unmatched
///   rather than given a partner worse than the threshold, and this never fails.
///
/// See <doc:Guarantees> for what the solution promises and how ties are broken.
public struct AssignmentProblem<Scalar: AssignmentScalar>: Sendable {
    /// Whether the solver looks for the lowest or the highest total.
    public enum Objective: Sendable { case minimize, maximize }

    public var rows: Int
    public var columns: Int
    /// Row-major `rows × columns` values. `±infinity` marks a forbidden cell; NaN is an error.
    public var values: [Scalar]
    public var objective: Objective
    /// Optional row-major mask of allowed cells (`false` = forbidden).
    public var allowed: [Bool]?
    /// Partners each row wants; `nil` means 1 each.
    public var rowDemands: [Int]?
    /// Partners each column can take; `nil` means 1 each.
    public var columnCapacities: [Int]?
    /// Pairs that must be in the solution (they count towards demands and capacities).
    public var locked: [Pair]
    /// With a threshold the matching is partial: see the type's documentation.
    public var threshold: Double?
    /// Optional group of each column (−1 for none): the columns of group `g` together take
    /// at most `groupCapacities[g]` pairs (a partner country's cap).
    public var columnGroups: [Int]?
    public var groupCapacities: [Int]
    /// Checks the search's invariants after every augmentation (debug builds only; tests
    /// set it, at a cost of O(rows · columns) per augmentation).
    var checksInvariants = false

    public init(rows: Int, columns: Int, values: [Scalar], objective: Objective = .minimize,
                allowed: [Bool]? = nil, rowDemands: [Int]? = nil, columnCapacities: [Int]? = nil,
                locked: [Pair] = [], threshold: Double? = nil, columnGroups: [Int]? = nil, groupCapacities: [Int] = []) {
        self.rows = rows
        self.columns = columns
        self.values = values
        self.objective = objective
        self.allowed = allowed
        self.rowDemands = rowDemands
        self.columnCapacities = columnCapacities
        self.locked = locked
        self.threshold = threshold
        self.columnGroups = columnGroups
        self.groupCapacities = groupCapacities
    }

    /// Solves the problem exactly by successive shortest augmenting paths.
    ///
    /// - Complexity: O(F · s · n) for F pairs, where s is the number of rows scanned per
    ///   augmenting path (small in practice) and n the number of columns.
    public func solve() throws(AssignmentError) -> AssignmentSolution {
        // Route the common element types to code specialised for them: a generic call
        // from another module would otherwise run the hot loop unspecialised.
        // The solving function is a free function, not a member of this generic type: a
        // member's specialisation would also need `Scalar`, unknown in this unspecialised
        // body, and the whole search then ran through generic witnesses (8× slower).
        if Scalar.self == Double.self {
            return try solveAssignment(unsafeBitCast(self, to: AssignmentProblem<Double>.self))
        }
        if Scalar.self == Float.self {
            return try solveAssignment(unsafeBitCast(self, to: AssignmentProblem<Float>.self))
        }
        return try solveAssignment(self)
    }
}

private func solveAssignment<S>(_ problem: AssignmentProblem<S>) throws(AssignmentError) -> AssignmentSolution {
    let prepared = try problem.prepared()
    var search = prepared.search
    if let violator = search.run() {
        throw AssignmentError.infeasible(side: prepared.transposed ? .columns : .rows,
                                         members: violator.rows, demand: violator.demand, supply: violator.supply)
    }
    return prepared.solution(from: search)
}

/// One chosen pair: 0-based row and column.
public struct Pair: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var row: Int
    public var column: Int
    public init(_ row: Int, _ column: Int) {
        self.row = row
        self.column = column
    }
    public static func < (a: Pair, b: Pair) -> Bool {
        (a.row, a.column) < (b.row, b.column)
    }
    public var description: String { "(\(row), \(column))" }
}
