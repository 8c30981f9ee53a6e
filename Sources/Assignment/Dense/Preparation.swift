/// A checked problem, ready to search: locked pairs taken out of the slots, forbidden
/// cells rewritten as infinite costs, and in full mode the search driven from the side
/// that is served completely.
struct PreparedProblem<S: AssignmentScalar> {
    let search: Search<S>
    /// The search runs on the transpose (columns as rows): full mode with more demand
    /// than capacity, where every column is served and some rows are not.
    let transposed: Bool
    let locked: [Pair]
    let original: AssignmentProblem<S>

    /// The solution in the problem's own orientation, locked pairs included.
    func solution(from search: Search<S>) -> AssignmentSolution {
        let p = original, n = p.rows, m = p.columns
        var pairs = locked
        for (r, columns) in search.rowColumns.enumerated() {
            for c in columns { pairs.append(transposed ? Pair(Int(c), r) : Pair(r, Int(c))) }
        }
        pairs.sort()
        var total = 0.0
        for pair in pairs { total += Double(p.values[pair.row * m + pair.column]) }
        // Demand left unserved, against the demand as given (the search saw it bounded).
        var served = [Int](repeating: 0, count: n)
        for pair in pairs { served[pair.row] += 1 }
        let demands = p.rowDemands ?? Array(repeating: 1, count: n)
        let unmatched = (0..<n).map { demands[$0] - served[$0] }
        var rowPotentials = transposed ? search.v : search.u
        if let limit = search.unmatchedCost {
            // Rows whose demand went past what the search saw keep units unmatched: their
            // potential is the unmatched value, as complementary slackness asks (they
            // hold every column allowed to them, so no other reduced cost depends on it).
            for i in 0..<n where unmatched[i] > search.unmatched[i] { rowPotentials[i] = limit }
        }
        return AssignmentSolution(
            pairs: pairs, total: total,
            rowPotentials: rowPotentials,
            columnPotentials: transposed ? search.u : search.v,
            unmatchedDemand: unmatched)
    }
}

extension AssignmentProblem {
    /// Checks shapes, slots, locked pairs and groups, and builds the search.
    func prepared() throws(AssignmentError) -> PreparedProblem<Scalar> {
        let n = rows, m = columns
        try checkShape()
        var demand = rowDemands ?? Array(repeating: 1, count: n)
        var capacity = columnCapacities ?? Array(repeating: 1, count: m)
        guard demand.count == n, capacity.count == m,
              !demand.contains(where: { $0 < 0 }), !capacity.contains(where: { $0 < 0 }) else {
            throw AssignmentError(.invalidSlots,
                "row demands and column capacities must be one non-negative whole number per row/column")
        }
        let sign: Double = objective == .maximize ? -1 : 1
        // Threshold in minimisation form: cells with sign·value above it are forbidden.
        let limit: Double? = threshold.map { sign * $0 }
        let hasInfiniteCells = try checkValues()

        // Locked pairs are taken out first: they use slots and are forbidden to the search.
        let locked = try checkLocked()
        for pair in locked { demand[pair.row] -= 1; capacity[pair.column] -= 1 }
        for i in 0..<n where demand[i] < 0 {
            let count = locked.filter { $0.row == i }.count
            throw AssignmentError(.lockedExceedsRowSlots(row: i, locked: count, slots: demand[i] + count),
                "row \(i) has \(count) locked pairs but only \(demand[i] + count) slot(s); unlock pairs or raise its slots")
        }
        for j in 0..<m where capacity[j] < 0 {
            let count = locked.filter { $0.column == j }.count
            throw AssignmentError(.lockedExceedsColumnSlots(column: j, locked: count, slots: capacity[j] + count),
                "column \(j) has \(count) locked pairs but only \(capacity[j] + count) slot(s); unlock pairs or raise its slots")
        }
        let groupCapacity = try groupCapacitiesLeft(after: locked)
        let totalDemand = saturatingSum(demand), totalCapacity = saturatingSum(capacity)
        // No row can use more columns than there are, nor a column more rows. The search
        // sees slots bounded accordingly (in full mode one more, so that a demand that
        // cannot be met still fails): its work and every sum stay below rows · columns,
        // and a demand of Int.max is as cheap as one of 1.
        let spare = limit == nil ? 1 : 0
        var lockedPerRow = [Int](repeating: 0, count: n), lockedPerColumn = [Int](repeating: 0, count: m)
        for pair in locked { lockedPerRow[pair.row] += 1; lockedPerColumn[pair.column] += 1 }
        for i in 0..<n { demand[i] = min(demand[i], m + spare - lockedPerRow[i]) }
        for j in 0..<m { capacity[j] = min(capacity[j], n + spare - lockedPerColumn[j]) }

        var costs = values
        if allowed != nil || limit != nil || !locked.isEmpty || hasInfiniteCells {
            forbid(in: &costs, locked: locked, limit: limit, sign: sign)
        }

        let reachable = try capacityReachable(capacity: capacity, groupCapacity: groupCapacity,
                                              demand: saturatingSum(demand), partial: limit != nil)
        // Full mode serves the smaller side completely; drive the search from that side.
        let transposed = limit == nil && totalDemand > (columnGroups == nil ? totalCapacity : reachable)
        var search: Search<Scalar>
        if transposed {
            var t = [Scalar](repeating: 0, count: n * m)
            costs.withUnsafeBufferPointer { c in
                t.withUnsafeMutableBufferPointer { t in
                    for i in 0..<n { for j in 0..<m { t[j * n + i] = c[i * m + j] } }
                }
            }
            search = Search(rows: m, columns: n, costs: t, sign: sign, demand: capacity, capacity: demand, unmatchedCost: nil)
        } else {
            search = Search(rows: n, columns: m, costs: costs, sign: sign, demand: demand, capacity: capacity,
                            unmatchedCost: limit, groups: columnGroups, groupCapacity: groupCapacity)
        }
        search.checksInvariants = checksInvariants
        return PreparedProblem(search: search, transposed: transposed, locked: locked, original: self)
    }

    private func saturatingSum(_ values: [Int]) -> Int {
        var total = 0
        for x in values {
            let (sum, overflow) = total.addingReportingOverflow(x)
            if overflow { return .max }
            total = sum
        }
        return total
    }

    private func checkShape() throws(AssignmentError) {
        guard rows >= 0, columns >= 0, values.count == rows * columns, allowed.map({ $0.count == rows * columns }) ?? true
        else {
            throw AssignmentError(.shapeMismatch,
                "matrix has \(values.count) values (mask: \(allowed?.count ?? rows * columns)) for \(rows) × \(columns)")
        }
    }

    /// NaN is an error; returns whether any cell is infinite other than the forbidden value.
    private func checkValues() throws(AssignmentError) -> Bool {
        let m = max(columns, 1)
        let forbiddenValue: Scalar = objective == .maximize ? -.infinity : .infinity
        var rewrite = false
        try values.withUnsafeBufferPointer { (c) throws(AssignmentError) in
            for k in 0..<c.count where !c[k].isFinite {
                if c[k].isNaN {
                    throw AssignmentError(.notANumber(row: k / m, column: k % m),
                        "matrix cell (\(k / m), \(k % m)) is NaN; use an empty cell or infinity to forbid a pair")
                }
                if c[k] != forbiddenValue { rewrite = true }
            }
        }
        return rewrite
    }

    /// Locked pairs, checked: inside the matrix, allowed, each listed once.
    private func checkLocked() throws(AssignmentError) -> [Pair] {
        var seen = Set<Pair>()
        for pair in locked {
            guard pair.row >= 0, pair.row < rows, pair.column >= 0, pair.column < columns else {
                throw AssignmentError(.lockedOutOfRange(pair), "locked pair \(pair) is outside the \(rows) × \(columns) matrix")
            }
            let k = pair.row * columns + pair.column
            if !values[k].isFinite || allowed?[k] == false {
                throw AssignmentError(.lockedForbidden(pair), "locked pair \(pair) is also forbidden; remove one of the two")
            }
            guard seen.insert(pair).inserted else {
                throw AssignmentError(.lockedTwice(pair), "locked pair \(pair) is listed twice")
            }
        }
        return locked
    }

    /// Group capacities left once locked pairs take their share.
    private func groupCapacitiesLeft(after locked: [Pair]) throws(AssignmentError) -> [Int] {
        var left = groupCapacities
        guard let groups = columnGroups else { return left }
        guard groups.count == columns, groups.allSatisfy({ $0 >= -1 && $0 < left.count }), left.allSatisfy({ $0 >= 0 }) else {
            throw AssignmentError(.invalidGroups,
                "column groups must give each column a group index below \(left.count), or -1, and group capacities must be ≥ 0")
        }
        for pair in locked where groups[pair.column] >= 0 { left[groups[pair.column]] -= 1 }
        for g in left.indices where left[g] < 0 {
            let count = groupCapacities[g] - left[g]
            throw AssignmentError(.lockedExceedsGroupSlots(group: g, locked: count, slots: groupCapacities[g]),
                "column group \(g) has \(count) locked pairs but only \(groupCapacities[g]) slot(s); unlock pairs or raise its cap")
        }
        return left
    }

    /// Rewrites masked, infinite, over-threshold and locked cells as the forbidden value.
    private func forbid(in costs: inout [Scalar], locked: [Pair], limit: Double?, sign: Double) {
        let forbiddenValue: Scalar = objective == .maximize ? -.infinity : .infinity
        costs.withUnsafeMutableBufferPointer { c in
            for k in 0..<c.count {
                let x = c[k]
                if !x.isFinite || allowed?[k] == false || (limit.map { sign * Double(x) > $0 } ?? false) {
                    c[k] = forbiddenValue
                }
            }
            for pair in locked { c[pair.row * columns + pair.column] = forbiddenValue }
        }
    }

    /// The pairs the columns can take together, counting each group at most at its cap.
    private func capacityReachable(capacity: [Int], groupCapacity: [Int], demand: Int,
                                   partial: Bool) throws(AssignmentError) -> Int {
        guard let groups = columnGroups else { return capacity.reduce(0, +) }
        var total = 0
        var perGroup = [Int](repeating: 0, count: groupCapacity.count)
        for j in 0..<columns {
            if groups[j] >= 0 { perGroup[groups[j]] += capacity[j] } else { total += capacity[j] }
        }
        for g in perGroup.indices { total += min(perGroup[g], groupCapacity[g]) }
        if !partial && demand > total {
            throw AssignmentError(.invalidGroups,
                "with column groups the rows' demand (\(demand)) must fit the columns' capacity (\(total)), or use a threshold for a partial matching")
        }
        return total
    }
}
