/// Successive shortest augmenting paths with dual potentials, on the rectangular matrix
/// as it is (no padding to square), generalised to row demands and column capacities.
///
/// The method is the one of Jonker & Volgenant (1987) in the rectangular form of
/// D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Trans.
/// Aerospace and Electronic Systems 52(4), 2016, doi:10.1109/TAES.2016.140952: for each
/// unit of unserved row demand, a Dijkstra search over reduced costs `c − u − v` finds
/// the cheapest augmenting path to a column with a free slot, then the potentials are
/// updated so every reduced cost stays non-negative. With slots the residual network is
/// that of a min-cost flow (source → row, capacity = demand; row → column, capacity 1;
/// column → sink, capacity = slots): reaching a full column leads on to *all* rows it
/// holds, and a row never reuses a column it already holds. In partial mode every row
/// also owns an "unmatched" sink valued at the threshold. Nothing is ever expanded, so a
/// column with 1,000 slots costs no more memory than one with 1.
///
/// Determinism: rows are served in index order, one unit of demand at a time. Among
/// columns at equal distance the search takes one with a free slot first, then the lowest
/// index; a real column is preferred to leaving a row unmatched at equal distance.
/// Only comparisons of computed distances are involved, so a run is reproducible bit for
/// bit on the same input.
enum ShortestAugmentingPath {
    static func solve<S: AssignmentScalar>(
        _ p: AssignmentProblem<S>
    ) throws(AssignmentError) -> AssignmentSolution {
        let n = p.rows, m = p.columns
        guard n >= 0, m >= 0, p.values.count == n * m, p.allowed.map({ $0.count == n * m }) ?? true
        else {
            throw AssignmentError(.shapeMismatch,
                "matrix has \(p.values.count) values (mask: \(p.allowed?.count ?? n * m)) for \(n) × \(m)")
        }
        var demand = p.rowDemands ?? Array(repeating: 1, count: n)
        var capacity = p.columnCapacities ?? Array(repeating: 1, count: m)
        guard demand.count == n, capacity.count == m,
              !demand.contains(where: { $0 < 0 }), !capacity.contains(where: { $0 < 0 }) else {
            throw AssignmentError(.invalidSlots,
                "row demands and column capacities must be one non-negative whole number per row/column")
        }
        let maximize = p.objective == .maximize
        let sign: Double = maximize ? -1 : 1
        // Threshold in minimisation form: cells with sign·value above it are forbidden.
        let limit: Double? = p.threshold.map { sign * $0 }

        // One pass: NaN is an error; note whether any cell must be rewritten as forbidden.
        var needsRewrite = p.allowed != nil || limit != nil || !p.locked.isEmpty
        let forbiddenValue: S = maximize ? -.infinity : .infinity
        try p.values.withUnsafeBufferPointer { (c) throws(AssignmentError) in
            for k in 0..<c.count where !c[k].isFinite {
                if c[k].isNaN {
                    throw AssignmentError(.notANumber(row: k / max(m, 1), column: k % max(m, 1)),
                        "matrix cell (\(k / max(m, 1)), \(k % max(m, 1))) is NaN; use an empty cell or infinity to forbid a pair")
                }
                if c[k] != forbiddenValue { needsRewrite = true }
            }
        }

        // Locked pairs are taken out first: they use slots and are forbidden to the solver.
        var lockedSet = Set<Pair>()
        var lockedPerRow = [Int](repeating: 0, count: n), lockedPerColumn = [Int](repeating: 0, count: m)
        for pair in p.locked {
            guard pair.row >= 0, pair.row < n, pair.column >= 0, pair.column < m else {
                throw AssignmentError(.lockedOutOfRange(pair), "locked pair \(pair) is outside the \(n) × \(m) matrix")
            }
            let k = pair.row * m + pair.column
            if !(p.values[k].isFinite) || p.allowed?[k] == false {
                throw AssignmentError(.lockedForbidden(pair), "locked pair \(pair) is also forbidden; remove one of the two")
            }
            guard lockedSet.insert(pair).inserted else {
                throw AssignmentError(.lockedTwice(pair), "locked pair \(pair) is listed twice")
            }
            lockedPerRow[pair.row] += 1
            lockedPerColumn[pair.column] += 1
        }
        for i in 0..<n where lockedPerRow[i] > demand[i] {
            throw AssignmentError(.lockedExceedsRowSlots(row: i, locked: lockedPerRow[i], slots: demand[i]),
                "row \(i) has \(lockedPerRow[i]) locked pairs but only \(demand[i]) slot(s); unlock pairs or raise its slots")
        }
        for j in 0..<m where lockedPerColumn[j] > capacity[j] {
            throw AssignmentError(.lockedExceedsColumnSlots(column: j, locked: lockedPerColumn[j], slots: capacity[j]),
                "column \(j) has \(lockedPerColumn[j]) locked pairs but only \(capacity[j]) slot(s); unlock pairs or raise its slots")
        }
        for i in 0..<n { demand[i] -= lockedPerRow[i] }
        for j in 0..<m { capacity[j] -= lockedPerColumn[j] }
        var groupCapacity = p.groupCapacities
        if let groups = p.columnGroups {
            guard groups.count == m, groups.allSatisfy({ $0 >= -1 && $0 < groupCapacity.count }),
                  groupCapacity.allSatisfy({ $0 >= 0 }) else {
                throw AssignmentError(.invalidGroups,
                    "column groups must give each column a group index below \(groupCapacity.count), or -1, and group capacities must be ≥ 0")
            }
            var lockedPerGroup = [Int](repeating: 0, count: groupCapacity.count)
            for pair in lockedSet where groups[pair.column] >= 0 { lockedPerGroup[groups[pair.column]] += 1 }
            for g in groupCapacity.indices where lockedPerGroup[g] > groupCapacity[g] {
                throw AssignmentError(.lockedExceedsGroupSlots(group: g, locked: lockedPerGroup[g], slots: groupCapacity[g]),
                    "column group \(g) has \(lockedPerGroup[g]) locked pairs but only \(groupCapacity[g]) slot(s); unlock pairs or raise its cap")
            }
            for g in groupCapacity.indices { groupCapacity[g] -= lockedPerGroup[g] }
        }

        var values = p.values
        if needsRewrite {
            values.withUnsafeMutableBufferPointer { c in
                for k in 0..<c.count {
                    let x = c[k]
                    if !x.isFinite || p.allowed?[k] == false || (limit.map { sign * Double(x) > $0 } ?? false) {
                        c[k] = forbiddenValue
                    }
                }
                for pair in lockedSet { c[pair.row * m + pair.column] = forbiddenValue }
            }
        }

        let totalDemand = demand.reduce(0, +)
        var totalCapacity = 0
        if let groups = p.columnGroups {
            var perGroup = [Int](repeating: 0, count: groupCapacity.count)
            for j in 0..<m { if groups[j] >= 0 { perGroup[groups[j]] += capacity[j] } else { totalCapacity += capacity[j] } }
            for g in perGroup.indices { totalCapacity += min(perGroup[g], groupCapacity[g]) }
            if limit == nil && totalDemand > totalCapacity {
                throw AssignmentError(.invalidGroups,
                    "with column groups the rows' demand (\(totalDemand)) must fit the columns' capacity (\(totalCapacity)), or use a threshold for a partial matching")
            }
        } else {
            totalCapacity = capacity.reduce(0, +)
        }
        // Full mode serves the smaller side completely; drive the search from that side.
        let transposed = limit == nil && totalDemand > totalCapacity
        var core: Core<S>
        if transposed {
            var t = [S](repeating: 0, count: n * m)
            values.withUnsafeBufferPointer { c in
                t.withUnsafeMutableBufferPointer { t in
                    for i in 0..<n { for j in 0..<m { t[j * n + i] = c[i * m + j] } }
                }
            }
            core = Core(rows: m, columns: n, costs: t, sign: sign, demand: capacity, capacity: demand, unmatchedCost: nil)
        } else {
            core = Core(rows: n, columns: m, costs: values, sign: sign, demand: demand, capacity: capacity, unmatchedCost: limit,
                        groups: p.columnGroups, groupCapacity: groupCapacity)
        }
        if let violator = core.run() {
            throw AssignmentError.infeasible(side: transposed ? .columns : .rows,
                                             members: violator.rows, demand: violator.demand, supply: violator.supply)
        }

        var pairs = Array(lockedSet)
        for (r, cols) in core.rowColumns.enumerated() {
            for c in cols { pairs.append(transposed ? Pair(Int(c), r) : Pair(r, Int(c))) }
        }
        pairs.sort()
        var total = 0.0
        for pair in pairs { total += Double(p.values[pair.row * m + pair.column]) }
        var unmatched = [Int](repeating: 0, count: n)
        if transposed {
            var served = [Int](repeating: 0, count: n)
            for pair in pairs { served[pair.row] += 1 }
            let demands = p.rowDemands ?? Array(repeating: 1, count: n)
            for i in 0..<n { unmatched[i] = demands[i] - served[i] }
        } else {
            unmatched = core.unmatched
        }
        return AssignmentSolution(
            pairs: pairs, total: total,
            rowPotentials: transposed ? core.v : core.u,
            columnPotentials: transposed ? core.u : core.v,
            unmatchedDemand: unmatched)
    }
}

/// The search itself, on rows that must be served (or may go unmatched at `unmatchedCost`).
struct Core<S: AssignmentScalar> {
    let n: Int, m: Int
    let costs: [S]
    let sign: Double
    var demand: [Int]
    var free: [Int]                 // free slots per column
    var freeGate: [Double]          // 0 where a column can end a path (free slot, group not full), +∞ else
    /// Optional groups of columns sharing a capacity (a partner country's cap): group per
    /// column (−1 none), free slots per group, members, and group potentials.
    let groupOf: [Int32]
    var groupFree: [Int]
    let groupMembers: [[Int32]]
    var w: [Double]
    let unmatchedCost: Double?
    var u: [Double], v: [Double]
    var rowColumns: [[Int32]]
    var columnRows: [[Int32]]
    var unmatched: [Int]

    init(rows: Int, columns: Int, costs: [S], sign: Double, demand: [Int], capacity: [Int], unmatchedCost: Double?,
         groups: [Int]? = nil, groupCapacity: [Int] = []) {
        n = rows; m = columns
        self.costs = costs; self.sign = sign
        self.demand = demand; free = capacity
        groupOf = groups.map { $0.map(Int32.init) } ?? Array(repeating: -1, count: columns)
        groupFree = groupCapacity
        var members = [[Int32]](repeating: [], count: groupCapacity.count)
        for (j, g) in (groups ?? []).enumerated() where g >= 0 { members[g].append(Int32(j)) }
        groupMembers = members
        w = Array(repeating: 0, count: groupCapacity.count)
        let groupOf = self.groupOf
        freeGate = capacity.indices.map { j in
            capacity[j] > 0 && (groupOf[j] < 0 || groupCapacity[Int(groupOf[j])] > 0) ? 0 : .infinity
        }
        self.unmatchedCost = unmatchedCost
        u = Array(repeating: 0, count: rows)
        v = Array(repeating: 0, count: columns)
        rowColumns = Array(repeating: [], count: rows)
        columnRows = Array(repeating: [], count: columns)
        unmatched = Array(repeating: 0, count: rows)
    }

    struct Violator { var rows: [Int]; var demand: Int; var supply: Int }

    /// Serves every row's demand; returns a Hall violator if some row cannot be served.
    mutating func run() -> Violator? {
        if n == m && n > 1 && unmatchedCost == nil && groupFree.isEmpty && demand.allSatisfy({ $0 == 1 }) && free.allSatisfy({ $0 == 1 })
            && costs.allSatisfy({ $0.isFinite }) {
            warmStart()
        }
        var shortest = [Double](repeating: .infinity, count: m)
        var path = [Int32](repeating: -1, count: m)
        var gate = [Double](repeating: 0, count: m)     // 0 open, +∞ once a column is scanned
        var scannedColumns: [Int32] = []
        var scannedRows: [Int32] = []
        var rowDistance = [Double](repeating: .infinity, count: n)
        var rowVia = [Int32](repeating: -1, count: n)    // column through which a row was reached
        var rowState = [UInt8](repeating: 0, count: n)   // 0 unseen, 1 reached, 2 scanned
        var pending: [Int32] = []
        let groups = groupFree.count
        var groupDistance = [Double](repeating: .infinity, count: groups)
        var groupVia = [Int32](repeating: -1, count: groups)   // column through which a group was reached
        var groupState = [UInt8](repeating: 0, count: groups)
        var pendingGroups: [Int32] = [], scannedGroups: [Int32] = []

        for s in 0..<n {
            while demand[s] > 0 {
                // Reset the search.
                for j in 0..<m { shortest[j] = .infinity }
                for j in scannedColumns { gate[Int(j)] = 0 }
                scannedColumns.removeAll(keepingCapacity: true)
                for r in scannedRows { rowState[Int(r)] = 0; rowDistance[Int(r)] = .infinity }
                scannedRows.removeAll(keepingCapacity: true)
                for r in pending { rowState[Int(r)] = 0; rowDistance[Int(r)] = .infinity }
                pending.removeAll(keepingCapacity: true)
                for g in scannedGroups + pendingGroups { groupState[Int(g)] = 0; groupDistance[Int(g)] = .infinity }
                scannedGroups.removeAll(keepingCapacity: true)
                pendingGroups.removeAll(keepingCapacity: true)

                var minVal = 0.0
                var sinkColumn = -1, sinkDummyRow = -1
                var bestDummy = Double.infinity, bestDummyRow = -1
                var closest = Nearest(distance: .infinity, column: -1)   // nearest open column, when known
                var closestKnown = true
                pending.append(Int32(s))
                rowDistance[s] = 0
                rowState[s] = 1

                while true {
                    // The nearest reached row; rows go before columns at equal distance.
                    var bestRow = -1, bestRowDistance = Double.infinity, bestPending = -1
                    for (k, r) in pending.enumerated() {
                        let d = rowDistance[Int(r)]
                        if d < bestRowDistance || (d == bestRowDistance && Int(r) < bestRow) {
                            bestRow = Int(r); bestRowDistance = d; bestPending = k
                        }
                    }
                    // A full group reached through one of its columns; after rows on ties.
                    var bestGroup = -1, bestGroupPending = -1
                    for (k, g) in pendingGroups.enumerated() {
                        let d = groupDistance[Int(g)]
                        if d < bestRowDistance && (bestGroup < 0 || d < groupDistance[bestGroup]
                                                   || (d == groupDistance[bestGroup] && Int(g) < bestGroup)) {
                            bestGroup = Int(g); bestGroupPending = k
                        }
                    }
                    if bestGroup >= 0 {
                        let d = groupDistance[bestGroup]
                        if d > minVal && !closestKnown {
                            closest = nearest(shortest: shortest, gate: gate)
                            closestKnown = true
                        }
                        if (d <= minVal || d <= closest.distance) && d <= bestDummy {
                            // Scan the group: its columns holding slots can give one up.
                            minVal = d
                            pendingGroups.remove(at: bestGroupPending)
                            groupState[bestGroup] = 2
                            scannedGroups.append(Int32(bestGroup))
                            for j in groupMembers[bestGroup] where gate[Int(j)] == 0 && !columnRows[Int(j)].isEmpty {
                                let reached = minVal + w[bestGroup] - v[Int(j)]
                                if reached < shortest[Int(j)] {
                                    shortest[Int(j)] = reached
                                    path[Int(j)] = Int32(-2 - bestGroup)
                                    closestKnown = false
                                }
                            }
                            continue
                        }
                    }
                    if bestRow >= 0 && bestRowDistance > minVal && !closestKnown {
                        closest = nearest(shortest: shortest, gate: gate)
                        closestKnown = true
                    }
                    if bestRow >= 0 && (bestRowDistance <= minVal || bestRowDistance <= closest.distance)
                        && bestRowDistance <= bestDummy {
                        // Scan the row: relax its arcs and find the nearest column in one pass.
                        let i = bestRow
                        minVal = bestRowDistance
                        pending.remove(at: bestPending)
                        rowState[i] = 2
                        scannedRows.append(Int32(i))
                        closest = relax(row: i, base: minVal - u[i], shortest: &shortest, path: &path, gate: &gate)
                        closestKnown = true
                        if let t = unmatchedCost {
                            let d = minVal + t - u[i]
                            if d < bestDummy { bestDummy = d; bestDummyRow = i }
                        }
                        continue
                    }
                    if !closestKnown {
                        closest = nearest(shortest: shortest, gate: gate)
                        closestKnown = true
                    }
                    if bestDummy < closest.distance {
                        minVal = bestDummy
                        sinkDummyRow = bestDummyRow
                        break
                    }
                    if closest.distance == .infinity {
                        return violator(scannedRows: scannedRows, scannedColumns: scannedColumns)
                    }
                    minVal = closest.distance
                    let j = closest.column
                    gate[j] = .infinity
                    scannedColumns.append(Int32(j))
                    closestKnown = false
                    let group = Int(groupOf[j])
                    if free[j] > 0 && (group < 0 || groupFree[group] > 0) { sinkColumn = j; break }
                    // A free slot in a full group leads on to the group.
                    if free[j] > 0, group >= 0, groupState[group] != 2 {
                        let d = minVal + v[j] - w[group]
                        if d < groupDistance[group] {
                            if groupState[group] == 0 { groupState[group] = 1; pendingGroups.append(Int32(group)) }
                            groupDistance[group] = d
                            groupVia[group] = Int32(j)
                        }
                    }
                    // A full column leads back to every row holding it; the arc costs the
                    // (non-positive) reduced cost of that pair, negated.
                    for r in columnRows[j] where rowState[Int(r)] != 2 {
                        let slack = sign * Double(costs[Int(r) * m + j]) - u[Int(r)] - v[j]
                        let d = minVal - min(slack, 0)
                        if d < rowDistance[Int(r)] {
                            if rowState[Int(r)] == 0 { rowState[Int(r)] = 1; pending.append(r) }
                            rowDistance[Int(r)] = d
                            rowVia[Int(r)] = Int32(j)
                        }
                    }
                }

                // Update potentials so that reduced costs stay non-negative.
                for r in scannedRows { u[Int(r)] += minVal - rowDistance[Int(r)] }
                for j in scannedColumns { v[Int(j)] -= minVal - shortest[Int(j)] }
                for g in scannedGroups { w[Int(g)] -= minVal - groupDistance[Int(g)] }

                // Augment along the path.
                var j: Int
                if sinkDummyRow >= 0 {
                    let r = sinkDummyRow
                    unmatched[r] += 1
                    if r == s { demand[s] -= 1; continue }
                    j = Int(rowVia[r])
                    detach(row: r, column: j)
                } else {
                    j = sinkColumn
                    takeSlot(column: j)
                }
                while true {
                    let predecessor = Int(path[j])
                    if predecessor <= -2 {
                        // Reached through its full group: the column hands a slot of the
                        // group over to the column that entered the group.
                        let into = Int(groupVia[-2 - predecessor])
                        free[j] += 1
                        free[into] -= 1
                        j = into
                        continue
                    }
                    let i = predecessor
                    attach(row: i, column: j)
                    if i == s { break }
                    let previous = Int(rowVia[i])
                    detach(row: i, column: previous)
                    j = previous
                }
                demand[s] -= 1
            }
        }
        // Rows that wanted nothing (all their slots locked) still need a potential that
        // keeps every reduced cost non-negative, so the duals certify the optimum.
        for i in 0..<n where rowColumns[i].isEmpty && unmatched[i] == 0 {
            var lowest = Double.infinity
            for j in 0..<m { lowest = min(lowest, sign * Double(costs[i * m + j]) - v[j]) }
            if lowest.isFinite { u[i] = lowest }
        }
        return nil
    }

    /// Jonker & Volgenant's initialisation for a square, dense, single-slot problem:
    /// column reduction, reduction transfer and two rounds of augmenting row reduction
    /// (R. Jonker, A. Volgenant, "A shortest augmenting path algorithm for dense and
    /// sparse linear assignment problems", Computing 38, 1987). It assigns most rows
    /// cheaply and leaves potentials under which every assigned row sits at a minimum of
    /// its reduced costs, so the shortest-path phase only has to place the rest.
    /// Only for square problems: on a rectangular one, free columns must keep equal
    /// potentials, which column reduction would break.
    private mutating func warmStart() {
        let sign = self.sign, n = self.n, m = self.m
        var rowsol = [Int](repeating: -1, count: n), colsol = [Int](repeating: -1, count: m)
        var potentials = [Double](repeating: 0, count: m)
        costs.withUnsafeBufferPointer { cb in
        potentials.withUnsafeMutableBufferPointer { vb in
            let c = cb.baseAddress!, v = vb.baseAddress!
            // Column reduction: v_j = min_i c_ij, scanned row by row for the cache.
            var argmin = [Int](repeating: 0, count: m)
            var matches = [Int](repeating: 0, count: n)
            for j in 0..<m { v[j] = sign * Double(c[j]) }
            for i in 1..<n {
                let row = c + i * m
                for j in 0..<m {
                    let x = sign * Double(row[j])
                    if x < v[j] { v[j] = x; argmin[j] = i }
                }
            }
            for j in stride(from: m - 1, through: 0, by: -1) {
                let i = argmin[j]
                matches[i] += 1
                if matches[i] == 1 {
                    rowsol[i] = j; colsol[j] = i
                } else if v[j] < v[rowsol[i]] {
                    colsol[rowsol[i]] = -1
                    rowsol[i] = j; colsol[j] = i
                }
            }
            // Reduction transfer: a row matched once passes its slack to its column.
            var freeRows: [Int] = []
            for i in 0..<n {
                if matches[i] == 0 {
                    freeRows.append(i)
                } else if matches[i] == 1 {
                    let j1 = rowsol[i]
                    let (u1, k1, u2, _) = Kernels.twoSmallest(costs: c + i * m, sign: sign, v: v, m: m)
                    let second = k1 == j1 ? u2 : u1
                    v[j1] -= second - (sign * Double(c[i * m + j1]) - v[j1])
                }
            }
            // Augmenting row reduction, twice.
            // On random costs the reduction can chase long chains of tiny price steps;
            // past 20·n row scans the shortest-path phase places the remaining rows
            // faster (measured on uniform n = 1,000–8,000: 20·n beat 2, 5, 10, 40, 80·n
            // and no limit, which was 5× slower at n = 8,000).
            let budget = 20 * n
            var spent = 0
            for _ in 0..<2 {
                var work = freeRows
                freeRows.removeAll(keepingCapacity: true)
                var k = 0
                while k < work.count {
                    let i = work[k]; k += 1
                    if spent >= budget { freeRows.append(i); continue }
                    spent += 1
                    var (umin, j1, usubmin, j2) = Kernels.twoSmallest(costs: c + i * m, sign: sign, v: v, m: m)
                    var i0 = colsol[j1]
                    if umin < usubmin {
                        v[j1] -= usubmin - umin
                    } else if i0 >= 0 && j2 >= 0 {
                        j1 = j2; i0 = colsol[j2]
                    }
                    if i0 >= 0 { rowsol[i0] = -1 }
                    rowsol[i] = j1; colsol[j1] = i
                    if i0 >= 0 {
                        if umin < usubmin { k -= 1; work[k] = i0 } else { freeRows.append(i0) }
                    }
                }
            }
        }}
        v = potentials
        for i in 0..<n where rowsol[i] >= 0 {
            let j = rowsol[i]
            u[i] = sign * Double(costs[i * m + j]) - v[j]
            rowColumns[i] = [Int32(j)]
            columnRows[j] = [Int32(i)]
            demand[i] = 0
            takeSlot(column: j)
        }
    }

    private mutating func takeSlot(column j: Int) {
        free[j] -= 1
        if free[j] == 0 { freeGate[j] = .infinity }
        let g = Int(groupOf[j])
        if g >= 0 {
            groupFree[g] -= 1
            if groupFree[g] == 0 { for k in groupMembers[g] { freeGate[Int(k)] = .infinity } }
        }
    }

    /// Relaxes every arc out of row `i` into open columns it does not hold, and returns
    /// the nearest open column afterwards.
    private func relax(row i: Int, base: Double, shortest: inout [Double], path: inout [Int32],
                       gate: inout [Double]) -> Nearest {
        // Columns the row already holds have no forward arc: close them for the pass,
        // then let them compete for the nearest column again if they were open.
        let held = rowColumns[i]
        var saved: [Double] = []
        if !held.isEmpty {
            saved = held.map { gate[Int($0)] }
            for j in held { gate[Int(j)] = .infinity }
        }
        var best = costs.withUnsafeBufferPointer { c in
            v.withUnsafeBufferPointer { v in
                gate.withUnsafeBufferPointer { g in
                    freeGate.withUnsafeBufferPointer { f in
                        shortest.withUnsafeMutableBufferPointer { sh in
                            path.withUnsafeMutableBufferPointer { path in
                                Kernels.relax(costs: c.baseAddress! + i * m, base: base, sign: sign, v: v.baseAddress!,
                                              gate: g.baseAddress!, freeGate: f.baseAddress!, shortest: sh.baseAddress!,
                                              path: path.baseAddress!, row: Int32(i), m: m)
                            }
                        }
                    }
                }
            }
        }
        for (k, held) in held.enumerated() {
            let j = Int(held)
            gate[j] = saved[k]
            let d = shortest[j] + saved[k]
            // Same order as the kernels: distance, then a free slot, then the lower index.
            let isFree = freeGate[j] == 0, bestIsFree = best.column >= 0 && freeGate[best.column] == 0
            if d < best.distance
                || (d == best.distance && d != .infinity
                    && (isFree && !bestIsFree || isFree == bestIsFree && j < best.column)) {
                best = Nearest(distance: d, column: j)
            }
        }
        return best
    }

    private func nearest(shortest: [Double], gate: [Double]) -> Nearest {
        shortest.withUnsafeBufferPointer { sh in
            gate.withUnsafeBufferPointer { g in
                freeGate.withUnsafeBufferPointer { f in Kernels.nearest(sh.baseAddress!, g.baseAddress!, f.baseAddress!, m) }
            }
        }
    }

    private mutating func attach(row i: Int, column j: Int) {
        rowColumns[i].append(Int32(j))
        columnRows[j].append(Int32(i))
    }

    private mutating func detach(row i: Int, column j: Int) {
        if let k = rowColumns[i].firstIndex(of: Int32(j)) { rowColumns[i].remove(at: k) }
        if let k = columnRows[j].firstIndex(of: Int32(i)) { columnRows[j].remove(at: k) }
    }

    private func violator(scannedRows: [Int32], scannedColumns: [Int32]) -> Violator {
        let rows = scannedRows.map(Int.init).sorted()
        let inside = Set(scannedColumns)
        var supply = 0
        for j in scannedColumns { supply += columnRows[Int(j)].count + free[Int(j)] }
        for r in rows { supply += rowColumns[r].filter { !inside.contains($0) }.count }
        let need = rows.reduce(0) { $0 + rowColumns[$1].count + demand[$1] }
        return Violator(rows: rows, demand: need, supply: supply)
    }
}

