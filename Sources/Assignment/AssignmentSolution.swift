/// An optimal assignment with the dual potentials that certify it.
public struct AssignmentSolution: Sendable {
    /// Chosen pairs, locked ones included, sorted by row then column.
    public let pairs: [Pair]
    /// Sum of the original values over `pairs` (not counting unmatched slots).
    public let total: Double
    /// Row potentials `u` in the minimisation form (costs negated when maximising).
    public let rowPotentials: [Double]
    /// Column potentials `v` (≤ 0) in the minimisation form; 0 on columns with spare slots.
    public let columnPotentials: [Double]
    /// Demand left unmatched per row (only non-zero in partial mode, or when the row side
    /// is the larger one in full mode).
    public let unmatchedDemand: [Int]

    /// The reduced cost `c − u − v` of a cell in minimisation form: how much the total
    /// would worsen, at least, if this pair were forced in. 0 on chosen pairs of
    /// single-slot rows; ≥ 0 on every allowed pair not chosen.
    public func reducedCost(row: Int, column: Int, value: Double, maximize: Bool) -> Double {
        (maximize ? -value : value) - rowPotentials[row] - columnPotentials[column]
    }
}
