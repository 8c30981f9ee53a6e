#if DEBUG
extension Search {
    /// Checks the search state after an augmentation (debug builds, when
    /// `checksInvariants` is set; the oracle tests set it). For the rows the searches
    /// have placed so far (those holding pairs or gone unmatched):
    /// - every allowed pair has a non-negative reduced cost,
    ///   and every held pair a non-positive one (complementary slackness);
    /// - column potentials are ≤ 0, and 0 on columns that can still end a path;
    /// - a column in a full group with a free slot is at or above its group's potential,
    ///   one holding pairs at or below it;
    /// - in partial mode a row's potential never exceeds the unmatched value, and equals
    ///   it once the row has gone unmatched;
    /// - slots are conserved: held + free = capacity for columns and groups.
    func checkInvariants() {
        let tolerance = 1e-9 * max(1, u.map(abs).max() ?? 0, v.map(abs).max() ?? 0)
        for i in 0..<n where !rowColumns[i].isEmpty || unmatched[i] > 0 {
            let held = Set(rowColumns[i])
            for j in 0..<m {
                let c = sign * Double(costs[i * m + j])
                guard c.isFinite else { continue }
                let reduced = c - u[i] - v[j]
                if held.contains(Int32(j)) {
                    precondition(reduced <= tolerance, "held pair (\(i), \(j)) has reduced cost \(reduced) > 0")
                } else {
                    precondition(reduced >= -tolerance, "pair (\(i), \(j)) has reduced cost \(reduced) < 0")
                }
            }
            if let t = unmatchedCost {
                precondition(u[i] <= t + tolerance, "row \(i) potential \(u[i]) above the unmatched value \(t)")
                if unmatched[i] > 0 {
                    precondition(u[i] >= t - tolerance, "unmatched row \(i) potential \(u[i]) below \(t)")
                }
            }
        }
        for j in 0..<m {
            precondition(v[j] <= tolerance, "column \(j) potential \(v[j]) > 0")
            precondition(free[j] + columnRows[j].count == capacity[j], "column \(j) slots not conserved")
            let g = Int(groupOf[j])
            if free[j] > 0 && (g < 0 || groupFree[g] > 0) {
                precondition(abs(v[j]) <= tolerance, "open column \(j) has potential \(v[j]) ≠ 0")
            } else if g >= 0 && free[j] > 0 {
                precondition(v[j] >= w[g] - tolerance, "column \(j) below its full group's potential")
            }
            if g >= 0 && !columnRows[j].isEmpty {
                precondition(v[j] <= w[g] + tolerance, "column \(j) holding pairs above its group's potential")
            }
        }
        for g in groupFree.indices {
            let held = groupMembers[g].reduce(0) { $0 + columnRows[Int($1)].count }
            precondition(held + groupFree[g] == groupCapacity[g], "group \(g) slots not conserved")
        }
    }
}
#endif
