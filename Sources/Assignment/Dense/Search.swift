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
/// also owns an "unmatched" sink valued at the threshold. Columns may share a capacity
/// in groups: a full group is a node of its own, reached through one of its columns
/// with a free slot, from which every column of the group holding a pair can give one
/// up. Nothing is ever expanded, so a column with 1,000 slots costs no more memory than
/// one with 1.
///
/// ## Tie-breaking order
///
/// Only comparisons of computed distances are involved, so a run is reproducible bit for
/// bit on the same input. Where distances are equal, the search decides in this order,
/// and nowhere else:
/// 1. Rows are served in index order, one unit of demand at a time.
/// 2. Among reached rows and groups at equal distance, rows are scanned first, then
///    groups; among rows (or groups) the lowest index first (``nearestPendingRow()``,
///    ``nearestPendingGroup(below:)``).
/// 3. A reached row or group is scanned before an open column at the same distance.
/// 4. Among open columns at equal distance, one with a free slot first, then the lowest
///    index (``LaneMinimum``, ``Kernels``, ``relax(row:base:)``).
/// 5. A real column is preferred to leaving a row unmatched at equal distance.
/// 6. The warm start (square problems) keeps the lower index among equal reduced costs
///    (``Kernels/twoSmallest(costs:sign:v:m:)``).
struct Search<S: AssignmentScalar> {
    let n: Int, m: Int
    let costs: [S]
    let sign: Double
    let unmatchedCost: Double?
    var checksInvariants = false

    // MARK: Flow and duals

    var demand: [Int]
    let capacity: [Int]             // slots per column, as given to the search
    let groupCapacity: [Int]
    var free: [Int]                 // free slots per column
    var freeGate: [Double]          // 0 where a column can end a path (free slot, group not full), +∞ else
    /// Optional groups of columns sharing a capacity (a partner country's cap): group per
    /// column (−1 none), free slots per group, members, and group potentials.
    let groupOf: [Int32]
    var groupFree: [Int]
    let groupMembers: [[Int32]]
    var w: [Double]
    var u: [Double], v: [Double]
    var rowColumns: [[Int32]]
    var columnRows: [[Int32]]
    var unmatched: [Int]

    // MARK: One search's state, reset before each augmentation

    var shortest: [Double]
    var path: [Predecessor]
    var gate: [Double]                 // 0 open, +∞ once a column is scanned
    var scannedColumns: [Int32] = []
    var scannedRows: [Int32] = []
    var rowDistance: [Double]
    var rowVia: [Int32]                // column through which a row was reached
    var rowState: [UInt8]              // 0 unseen, 1 reached, 2 scanned
    var pending: [Int32] = []
    var groupDistance: [Double]
    var groupVia: [Int32]              // column through which a group was reached
    var groupState: [UInt8]
    var pendingGroups: [Int32] = [], scannedGroups: [Int32] = []

    init(rows: Int, columns: Int, costs: [S], sign: Double, demand: [Int], capacity: [Int], unmatchedCost: Double?,
         groups: [Int]? = nil, groupCapacity: [Int] = []) {
        n = rows; m = columns
        self.costs = costs; self.sign = sign
        self.demand = demand; free = capacity
        self.capacity = capacity
        self.groupCapacity = groupCapacity
        let groupOf = groups.map { $0.map(Int32.init) } ?? Array(repeating: -1, count: columns)
        self.groupOf = groupOf
        groupFree = groupCapacity
        var members = [[Int32]](repeating: [], count: groupCapacity.count)
        for (j, g) in (groups ?? []).enumerated() where g >= 0 { members[g].append(Int32(j)) }
        groupMembers = members
        w = Array(repeating: 0, count: groupCapacity.count)
        freeGate = capacity.indices.map { j in
            capacity[j] > 0 && (groupOf[j] < 0 || groupCapacity[Int(groupOf[j])] > 0) ? 0 : .infinity
        }
        self.unmatchedCost = unmatchedCost
        u = Array(repeating: 0, count: rows)
        v = Array(repeating: 0, count: columns)
        rowColumns = Array(repeating: [], count: rows)
        columnRows = Array(repeating: [], count: columns)
        unmatched = Array(repeating: 0, count: rows)
        shortest = Array(repeating: .infinity, count: columns)
        path = Array(repeating: .none, count: columns)
        gate = Array(repeating: 0, count: columns)
        rowDistance = Array(repeating: .infinity, count: rows)
        rowVia = Array(repeating: -1, count: rows)
        rowState = Array(repeating: 0, count: rows)
        groupDistance = Array(repeating: .infinity, count: groupCapacity.count)
        groupVia = Array(repeating: -1, count: groupCapacity.count)
        groupState = Array(repeating: 0, count: groupCapacity.count)
    }

    /// Where an augmenting path ends.
    enum Sink {
        /// A column with a free slot (in a group that is not full).
        case column(Int)
        /// The unmatched sink of a scanned row (partial mode).
        case unmatched(row: Int)
    }

    /// Serves every row's demand; returns a Hall violator if some row cannot be served.
    mutating func run() -> HallViolator? {
        if n == m && n > 1 && unmatchedCost == nil && groupFree.isEmpty && demand.allSatisfy({ $0 == 1 })
            && free.allSatisfy({ $0 == 1 }) && costs.allSatisfy({ $0.isFinite }) {
            warmStart()
        }
        for s in 0..<n {
            while demand[s] > 0 {
                resetSearch()
                let sink: Sink, distance: Double
                switch shortestPath(from: s) {
                case let .found(end, d): sink = end; distance = d
                case .unreachable: return violator()
                }
                updatePotentials(distance: distance)
                augment(from: s, to: sink)
                demand[s] -= 1
                #if DEBUG
                if checksInvariants { checkInvariants() }
                #endif
            }
        }
        settleIdleRows()
        return nil
    }

    mutating func resetSearch() {
        for j in 0..<m { shortest[j] = .infinity }
        for j in scannedColumns { gate[Int(j)] = 0 }
        scannedColumns.removeAll(keepingCapacity: true)
        for r in scannedRows { rowState[Int(r)] = 0; rowDistance[Int(r)] = .infinity }
        for r in pending { rowState[Int(r)] = 0; rowDistance[Int(r)] = .infinity }
        scannedRows.removeAll(keepingCapacity: true)
        pending.removeAll(keepingCapacity: true)
        for g in scannedGroups { groupState[Int(g)] = 0; groupDistance[Int(g)] = .infinity }
        for g in pendingGroups { groupState[Int(g)] = 0; groupDistance[Int(g)] = .infinity }
        scannedGroups.removeAll(keepingCapacity: true)
        pendingGroups.removeAll(keepingCapacity: true)
    }

    enum PathSearch { case found(Sink, distance: Double), unreachable }

    /// Dijkstra over reduced costs from row `s` to the nearest sink. Rows and groups are
    /// labelled as they are reached; open columns keep tentative distances in `shortest`.
    mutating func shortestPath(from s: Int) -> PathSearch {
        var minVal = 0.0
        var bestDummy = Double.infinity, bestDummyRow = -1
        var closest = Nearest(distance: .infinity, column: -1)   // nearest open column, when known
        var closestKnown = true
        pending.append(Int32(s))
        rowDistance[s] = 0
        rowState[s] = 1

        while true {
            let row = nearestPendingRow()
            if let group = nearestPendingGroup(below: row.distance) {
                let d = groupDistance[group.index]
                if d > minVal && !closestKnown {
                    closest = nearestOpenColumn()
                    closestKnown = true
                }
                if (d <= minVal || d <= closest.distance) && d <= bestDummy {
                    minVal = d
                    pendingGroups.remove(at: group.position)
                    if scanGroup(group.index, at: d) { closestKnown = false }
                    continue
                }
            }
            if row.index >= 0 && row.distance > minVal && !closestKnown {
                closest = nearestOpenColumn()
                closestKnown = true
            }
            if row.index >= 0 && (row.distance <= minVal || row.distance <= closest.distance) && row.distance <= bestDummy {
                let i = row.index
                minVal = row.distance
                pending.remove(at: row.position)
                rowState[i] = 2
                scannedRows.append(Int32(i))
                closest = relax(row: i, base: minVal - u[i])
                closestKnown = true
                if let t = unmatchedCost {
                    let d = minVal + t - u[i]
                    if d < bestDummy { bestDummy = d; bestDummyRow = i }
                }
                continue
            }
            if !closestKnown {
                closest = nearestOpenColumn()
                closestKnown = true
            }
            if bestDummy < closest.distance { return .found(.unmatched(row: bestDummyRow), distance: bestDummy) }
            if closest.distance == .infinity { return .unreachable }
            minVal = closest.distance
            let j = closest.column
            closestKnown = false
            if scanColumn(j, at: minVal) { return .found(.column(j), distance: minVal) }
        }
    }

    /// The reached, unscanned row nearest to the source; lowest index among equals.
    func nearestPendingRow() -> (index: Int, distance: Double, position: Int) {
        var best = (index: -1, distance: Double.infinity, position: -1)
        for (k, r) in pending.enumerated() {
            let d = rowDistance[Int(r)]
            if d < best.distance || (d == best.distance && Int(r) < best.index) { best = (Int(r), d, k) }
        }
        return best
    }

    /// The reached, unscanned group nearer than `limit` (rows go first at equal distance);
    /// lowest index among equals.
    func nearestPendingGroup(below limit: Double) -> (index: Int, position: Int)? {
        var best: (index: Int, position: Int)? = nil
        for (k, g) in pendingGroups.enumerated() {
            let d = groupDistance[Int(g)]
            guard d < limit else { continue }
            if let b = best, d > groupDistance[b.index] || (d == groupDistance[b.index] && Int(g) > b.index) { continue }
            best = (Int(g), k)
        }
        return best
    }

    /// Scans a full group: each of its columns holding a pair can give up a slot to the
    /// column that entered the group. Returns whether any column's distance dropped.
    mutating func scanGroup(_ g: Int, at distance: Double) -> Bool {
        groupState[g] = 2
        scannedGroups.append(Int32(g))
        var lowered = false
        for j in groupMembers[g] where gate[Int(j)] == 0 && !columnRows[Int(j)].isEmpty {
            let reached = distance + w[g] - v[Int(j)]
            if reached < shortest[Int(j)] {
                shortest[Int(j)] = reached
                path[Int(j)] = .group(g)
                lowered = true
            }
        }
        return lowered
    }

    /// Scans the nearest open column `j`. Returns true when it ends the path (a free slot
    /// in a group that is not full); otherwise reaches its group (if full) and the rows
    /// holding it.
    mutating func scanColumn(_ j: Int, at distance: Double) -> Bool {
        gate[j] = .infinity
        scannedColumns.append(Int32(j))
        let group = Int(groupOf[j])
        if free[j] > 0 && (group < 0 || groupFree[group] > 0) { return true }
        // A free slot in a full group leads on to the group.
        if free[j] > 0, group >= 0, groupState[group] != 2 {
            let d = distance + v[j] - w[group]
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
            let d = distance - min(slack, 0)
            if d < rowDistance[Int(r)] {
                if rowState[Int(r)] == 0 { rowState[Int(r)] = 1; pending.append(r) }
                rowDistance[Int(r)] = d
                rowVia[Int(r)] = Int32(j)
            }
        }
        return false
    }

    /// Moves the potentials of everything scanned so that reduced costs stay non-negative
    /// and the path just found is tight.
    mutating func updatePotentials(distance: Double) {
        for r in scannedRows { u[Int(r)] += distance - rowDistance[Int(r)] }
        for j in scannedColumns { v[Int(j)] -= distance - shortest[Int(j)] }
        for g in scannedGroups { w[Int(g)] -= distance - groupDistance[Int(g)] }
    }

    /// Flips the path from `s` to `sink`: every row on it takes the column it was reached
    /// through and gives up the one it held.
    mutating func augment(from s: Int, to sink: Sink) {
        var j: Int
        switch sink {
        case let .unmatched(r):
            unmatched[r] += 1
            if r == s { return }
            j = Int(rowVia[r])
            detach(row: r, column: j)
        case let .column(end):
            j = end
            takeSlot(column: j)
        }
        while true {
            switch path[j].kind {
            case let .group(g):
                // Reached through its full group: the column hands a slot of the group
                // over to the column that entered the group.
                let into = Int(groupVia[g])
                free[j] += 1
                free[into] -= 1
                j = into
            case let .row(i):
                attach(row: i, column: j)
                if i == s { return }
                let previous = Int(rowVia[i])
                detach(row: i, column: previous)
                j = previous
            case .none:
                preconditionFailure("augmenting path broken at column \(j)")
            }
        }
    }

    /// Rows that wanted nothing (all their slots locked) still need a potential that
    /// keeps every reduced cost non-negative, so the duals certify the optimum.
    mutating func settleIdleRows() {
        for i in 0..<n where rowColumns[i].isEmpty && unmatched[i] == 0 {
            var lowest = Double.infinity
            for j in 0..<m { lowest = min(lowest, sign * Double(costs[i * m + j]) - v[j]) }
            if lowest.isFinite { u[i] = lowest }
        }
    }

    mutating func takeSlot(column j: Int) {
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
    mutating func relax(row i: Int, base: Double) -> Nearest {
        // Columns the row already holds have no forward arc: close them for the pass,
        // then let them compete for the nearest column again if they were open.
        let held = rowColumns[i]
        var saved: [Double] = []
        if !held.isEmpty {
            saved = held.map { gate[Int($0)] }
            for j in held { gate[Int(j)] = .infinity }
        }
        let (m, sign) = (self.m, self.sign)
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

    func nearestOpenColumn() -> Nearest {
        shortest.withUnsafeBufferPointer { sh in
            gate.withUnsafeBufferPointer { g in
                freeGate.withUnsafeBufferPointer { f in Kernels.nearest(sh.baseAddress!, g.baseAddress!, f.baseAddress!, m) }
            }
        }
    }

    mutating func attach(row i: Int, column j: Int) {
        rowColumns[i].append(Int32(j))
        columnRows[j].append(Int32(i))
    }

    mutating func detach(row i: Int, column j: Int) {
        if let k = rowColumns[i].firstIndex(of: Int32(j)) { rowColumns[i].remove(at: k) }
        if let k = columnRows[j].firstIndex(of: Int32(i)) { columnRows[j].remove(at: k) }
    }
}
