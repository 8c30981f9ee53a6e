/// The residual network of a ``SparseAssignmentProblem`` as a min-cost flow, with node
/// potentials that keep every residual arc's reduced cost `c + π(tail) − π(head)`
/// non-negative.
///
/// Nodes: rows `0..<n`, columns `n..<n+m`, groups `n+m..<n+m+g`, then the sink. Arcs
/// (in minimisation form, `c = sign · value`):
/// - row → column, capacity 1, cost `c` (the candidate arcs);
/// - row → sink, the "unmatched" arc, capacity = the row's supply, cost `sign · unmatchedValue`;
/// - column → its group (or the sink), capacity = slots, cost 0;
/// - group → sink in two tiers: up to the group's minimum at cost `−bonus`, the rest of
///   its cap at cost 0. The bonus exceeds any change of total value a unit of flow can
///   make, so the minimum tiers fill first whenever they can.
/// Rows supply their demand and the sink takes it.
struct FlowNetwork: Sendable {
    let n: Int, m: Int, g: Int
    let sign: Double
    var checksInvariants = false
    var schedule = CostScaling.Schedule()

    // MARK: Row → column arcs, by row (CSR; added arcs rebuild it)

    var rowStart: [Int]
    var arcColumn: [Int32]
    var arcCost: [Double]
    var arcRow: [Int32]
    var arcFlow: [Bool]

    // MARK: Rows

    let unmatchedCost: Double
    /// Units each row sends: its demand less locked pairs, bounded by the columns there are.
    let supply: [Int]
    var unmatchedFlow: [Int]
    /// Rows with unmatched flow (the sink's reverse arcs), in a stable order.
    var unmatchedRows = IndexList()

    // MARK: Columns and groups

    let capacity: [Int]
    var outFlow: [Int]
    /// Arcs (indices) carrying flow into each column.
    var holders: [[Int32]]
    let groupOf: [Int32]
    /// Ungrouped columns with flow to the sink (the sink's reverse arcs).
    var usedColumns = IndexList()
    /// Per group: member columns with flow into the group (the group's reverse arcs).
    var groupUsed: [IndexList]
    let minimumTier: [Int], restTier: [Int]
    var minimumFlow: [Int], restFlow: [Int]
    let bonus: Double

    // MARK: Balance and duals

    var excess: [Int]
    var potential: [Double]

    // MARK: One search's state

    var distance: [Double]
    var parent: [Step]
    var state: [UInt8]          // 0 unreached, 1 labelled, 2 settled
    var touched: [Int32] = []
    var heap = NodeHeap()
    /// The shortest distance at which the current search has labelled a node lacking flow:
    /// nothing farther can be on the path it finds.
    var nearestSink = Double.infinity
    /// No column's potential is above this during a ``settle()`` (potentials only fall).
    var columnCeiling = 0.0

    var sinkNode: Int { n + m + g }
    @inline(__always) func columnNode(_ j: Int) -> Int { n + j }
    @inline(__always) func groupNode(_ h: Int) -> Int { n + m + h }
    /// Where column `j`'s flow goes: its group's node, or the sink.
    @inline(__always) func next(ofColumn j: Int) -> Int { groupOf[j] >= 0 ? groupNode(Int(groupOf[j])) : sinkNode }

    /// The arc a search reached a node through.
    enum Step: Sendable, Equatable {
        case none
        case arc(Int32), arcBack(Int32)                  // row → column, and back
        case unmatched(Int32), unmatchedBack(Int32)      // row → sink, and back
        case out(Int32), outBack(Int32)                  // column → group or sink, and back
        case tier(Int32, minimum: Bool), tierBack(Int32, minimum: Bool)   // group → sink, and back
    }

    init(_ p: SparseAssignmentProblem) throws(AssignmentError) {
        let n = p.rows, m = p.columns
        self.n = n; self.m = m
        sign = p.objective == .maximize ? -1 : 1
        guard n >= 0, m >= 0, p.arcs.count == n, p.rowDemands.count == n, p.columnCapacities.count == m,
              !p.rowDemands.contains(where: { $0 < 0 }), !p.columnCapacities.contains(where: { $0 < 0 }) else {
            throw AssignmentError(.invalidSlots, "a sparse problem needs one arc list and one demand per row and one capacity per column, none negative")
        }
        guard p.unmatchedValue.isFinite else { throw AssignmentError(.shapeMismatch, "the unmatched value must be finite") }
        let groups = try Self.checkGroups(p)
        let g = p.groupCapacities.count
        self.g = g
        groupOf = groups.map(Int32.init)

        // Locked pairs take their slots first.
        var demand = p.rowDemands, cap = p.columnCapacities, groupCap = p.groupCapacities, minimum = p.groupMinimums
        var lockedSet = Set<Pair>()
        for (pair, value) in p.locked {
            guard pair.row >= 0, pair.row < n, pair.column >= 0, pair.column < m, value.isFinite else {
                throw AssignmentError(.lockedOutOfRange(pair), "locked pair \(pair) is outside the \(n) × \(m) problem or has no finite value")
            }
            guard lockedSet.insert(pair).inserted else { throw AssignmentError(.lockedTwice(pair), "locked pair \(pair) is listed twice") }
            demand[pair.row] -= 1; cap[pair.column] -= 1
            if groups[pair.column] >= 0 { groupCap[groups[pair.column]] -= 1; minimum[groups[pair.column]] -= 1 }
        }
        try Self.checkLocked(p, demand: demand, capacity: cap, groupCapacity: groupCap)

        let (rowStart, columnOf, cost, rowOf, largest) = try Self.layArcs(p, sign: sign, without: lockedSet)
        self.rowStart = rowStart; arcColumn = columnOf; arcCost = cost; arcRow = rowOf
        arcFlow = Array(repeating: false, count: columnOf.count)

        unmatchedCost = sign * p.unmatchedValue
        supply = demand.map { min($0, m) }
        unmatchedFlow = Array(repeating: 0, count: n)
        capacity = cap.map { min($0, n) }
        outFlow = Array(repeating: 0, count: m)
        holders = Array(repeating: [], count: m)
        groupUsed = Array(repeating: IndexList(), count: g)
        minimumTier = (0..<g).map { max(0, min(minimum[$0], groupCap[$0])) }
        restTier = (0..<g).map { max(0, groupCap[$0] - max(0, min(minimum[$0], groupCap[$0]))) }
        minimumFlow = Array(repeating: 0, count: g)
        restFlow = Array(repeating: 0, count: g)
        // More than any total the flow could gain or lose: minimum tiers first, always.
        bonus = minimumTier.contains(where: { $0 > 0 }) ? 4 * (Double(supply.reduce(0, +)) + 1) * max(1, largest) : 0

        let nodes = n + m + g + 1
        excess = Array(repeating: 0, count: nodes)
        for i in 0..<n { excess[i] = supply[i] }
        excess[nodes - 1] = -supply.reduce(0, +)
        potential = Array(repeating: 0, count: nodes)
        distance = Array(repeating: .infinity, count: nodes)
        parent = Array(repeating: .none, count: nodes)
        state = Array(repeating: 0, count: nodes)
        setInitialPotentials()
    }

    /// The arcs, without locked pairs, a column at most once per row, each row's sorted by
    /// cost (then column): the search stops reading a row once its arcs cannot help. Also
    /// the largest |value| met (the unmatched value's included).
    static func layArcs(_ p: SparseAssignmentProblem, sign: Double, without lockedSet: Set<Pair>) throws(AssignmentError)
        -> (rowStart: [Int], column: [Int32], cost: [Double], row: [Int32], largest: Double) {
        let n = p.rows, m = p.columns
        var rowStart = [0], columnOf: [Int32] = [], cost: [Double] = [], rowOf: [Int32] = []
        let listed = p.arcs.reduce(0) { $0 + $1.count }
        rowStart.reserveCapacity(n + 1)
        columnOf.reserveCapacity(listed); cost.reserveCapacity(listed); rowOf.reserveCapacity(listed)
        var largest = abs(p.unmatchedValue)
        var seen = [Int32](repeating: -1, count: m)
        var row: [(Double, Int32)] = []
        for i in 0..<n {
            row.removeAll(keepingCapacity: true)
            for arc in p.arcs[i] {
                guard arc.column >= 0, arc.column < m, arc.value.isFinite else {
                    throw AssignmentError(.shapeMismatch, "arc (\(i), \(arc.column)) is outside the \(n) × \(m) problem or not finite")
                }
                guard seen[arc.column] != Int32(i) else {
                    throw AssignmentError(.shapeMismatch, "row \(i) lists column \(arc.column) twice")
                }
                seen[arc.column] = Int32(i)
                if !lockedSet.isEmpty && lockedSet.contains(Pair(i, arc.column)) { continue }
                row.append((sign * arc.value, Int32(arc.column)))
                largest = max(largest, abs(arc.value))
            }
            // Lists usually come sorted best first already; sort only when they do not.
            let ordered = zip(row, row.dropFirst()).allSatisfy { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            if !ordered { row.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) } }
            for (c, j) in row { columnOf.append(j); cost.append(c); rowOf.append(Int32(i)) }
            rowStart.append(columnOf.count)
        }
        return (rowStart, columnOf, cost, rowOf, largest)
    }

    /// Potentials under which every arc of the empty flow has a non-negative reduced
    /// cost: the sink at 0, a group with a minimum at the bonus, a column at its group's,
    /// a row at the most its arcs need.
    mutating func setInitialPotentials() {
        for h in 0..<g { potential[groupNode(h)] = minimumTier[h] > 0 ? bonus : 0 }
        for j in 0..<m { potential[columnNode(j)] = potential[next(ofColumn: j)] }
        for i in 0..<n { potential[i] = rowFloor(i) }
    }

    /// The least potential row `i` may have for its outgoing arcs to stay non-negative.
    func rowFloor(_ i: Int) -> Double {
        var p = -unmatchedCost + potential[sinkNode]
        for k in rowStart[i]..<rowStart[i + 1] where !arcFlow[k] {
            p = max(p, potential[columnNode(Int(arcColumn[k]))] - arcCost[k])
        }
        return p
    }

    static func checkGroups(_ p: SparseAssignmentProblem) throws(AssignmentError) -> [Int] {
        guard let groups = p.columnGroups else {
            guard p.groupCapacities.isEmpty else {
                throw AssignmentError(.invalidGroups, "group capacities were given without column groups")
            }
            return Array(repeating: -1, count: p.columns)
        }
        let g = p.groupCapacities.count
        guard groups.count == p.columns, groups.allSatisfy({ $0 >= -1 && $0 < g }), p.groupMinimums.count == g,
              p.groupCapacities.allSatisfy({ $0 >= 0 }), p.groupMinimums.allSatisfy({ $0 >= 0 }) else {
            throw AssignmentError(.invalidGroups,
                "column groups must give each column a group index below \(g), or -1, with a capacity and a minimum ≥ 0 per group")
        }
        return groups
    }

    static func checkLocked(_ p: SparseAssignmentProblem, demand: [Int], capacity: [Int], groupCapacity: [Int]) throws(AssignmentError) {
        for i in 0..<p.rows where demand[i] < 0 {
            let count = p.locked.filter { $0.pair.row == i }.count
            throw AssignmentError(.lockedExceedsRowSlots(row: i, locked: count, slots: p.rowDemands[i]),
                "row \(i) has \(count) locked pairs but only \(p.rowDemands[i]) slot(s); unlock pairs or raise its slots")
        }
        for j in 0..<p.columns where capacity[j] < 0 {
            let count = p.locked.filter { $0.pair.column == j }.count
            throw AssignmentError(.lockedExceedsColumnSlots(column: j, locked: count, slots: p.columnCapacities[j]),
                "column \(j) has \(count) locked pairs but only \(p.columnCapacities[j]) slot(s); unlock pairs or raise its slots")
        }
        for h in groupCapacity.indices where groupCapacity[h] < 0 {
            let count = p.groupCapacities[h] - groupCapacity[h]
            throw AssignmentError(.lockedExceedsGroupSlots(group: h, locked: count, slots: p.groupCapacities[h]),
                "column group \(h) has \(count) locked pairs but only \(p.groupCapacities[h]) slot(s); unlock pairs or raise its cap")
        }
    }

    // MARK: Reading the solution

    /// The price of every column as a pair outside the lists sees it: the least potential
    /// the column could have with every residual arc still of non-negative reduced cost,
    /// rows and the sink kept where they are. The lower the prices, the fewer unlisted
    /// pairs look improving, so the fewer price-out adds.
    ///
    /// Only columns and groups move, and every constraint on them is a lower bound (a
    /// holder's arc back, a free slot's arc on, a group's free tier or a member's flow) or
    /// an upper bound the current potentials already meet and lowering keeps. So the least
    /// solution is the largest of the lower bounds, taken in order:
    /// - a column's holders need it at least `c + π(row)` for each pair it holds;
    /// - a group is at least `π(sink) − tier cost` for each tier with room left, and at
    ///   least each member's holder floor when that member sends flow into it (the group's
    ///   arc back to the member);
    /// - a column with a free slot is at least where its flow goes (its group's floor, or
    ///   the sink).
    /// A column with no slot left and no holder has no floor (−∞): no pair can use it.
    func columnPrices() -> [Double] {
        var holderFloor = [Double](repeating: -.infinity, count: m)
        for j in 0..<m {
            for k in holders[j] { holderFloor[j] = max(holderFloor[j], arcCost[Int(k)] + potential[Int(arcRow[Int(k)])]) }
        }
        let sink = potential[sinkNode]
        var groupFloor = [Double](repeating: -.infinity, count: g)
        for h in 0..<g {
            if minimumFlow[h] < minimumTier[h] { groupFloor[h] = sink + bonus }
            if restFlow[h] < restTier[h] { groupFloor[h] = max(groupFloor[h], sink) }
        }
        for j in 0..<m where groupOf[j] >= 0 && outFlow[j] > 0 {
            groupFloor[Int(groupOf[j])] = max(groupFloor[Int(groupOf[j])], holderFloor[j])
        }
        return (0..<m).map { j in
            guard outFlow[j] < capacity[j] else { return holderFloor[j] }
            return max(holderFloor[j], groupOf[j] >= 0 ? groupFloor[Int(groupOf[j])] : sink)
        }
    }

    var minimumShortfall: [Int] { (0..<g).map { minimumTier[$0] - minimumFlow[$0] } }

    func solution(_ p: SparseAssignmentProblem) -> AssignmentSolution {
        var pairs = p.locked.map(\.pair)
        for k in arcFlow.indices where arcFlow[k] { pairs.append(Pair(Int(arcRow[k]), Int(arcColumn[k]))) }
        pairs.sort()
        let value = Dictionary(uniqueKeysWithValues: p.locked.map { ($0.pair, $0.value) })
        var total = 0.0, served = [Int](repeating: 0, count: n)
        for pair in pairs { served[pair.row] += 1 }
        for k in arcFlow.indices where arcFlow[k] { total += sign * arcCost[k] }
        for pair in p.locked { total += value[pair.pair]! }
        let reference = potential[sinkNode], prices = columnPrices()
        return AssignmentSolution(
            pairs: pairs, total: total,
            rowPotentials: (0..<n).map { reference - potential[$0] },
            columnPotentials: prices.map { $0 - reference },
            unmatchedDemand: (0..<n).map { p.rowDemands[$0] - served[$0] })
    }
}

/// A set of small indices kept in a stable order (insertion order, with removals
/// filling the gap from the end), so that searches over it are deterministic.
struct IndexList: Sendable {
    private(set) var items: [Int32] = []
    private var position: [Int32: Int] = [:]

    mutating func insert(_ x: Int32) {
        guard position[x] == nil else { return }
        position[x] = items.count
        items.append(x)
    }

    mutating func remove(_ x: Int32) {
        guard let k = position.removeValue(forKey: x) else { return }
        let last = items.removeLast()
        if k < items.count { items[k] = last; position[last] = k }
    }
}

/// A binary min-heap of (distance, node), ties going to the lower node index.
struct NodeHeap: Sendable {
    private var entries: [(Double, Int32)] = []

    var isEmpty: Bool { entries.isEmpty }

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    @inline(__always)
    static func less(_ a: (Double, Int32), _ b: (Double, Int32)) -> Bool { a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) }

    mutating func push(_ d: Double, _ node: Int32) {
        entries.append((d, node))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent); i = parent
        }
    }

    mutating func pop() -> (Double, Int32)? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < entries.count, Self.less(entries[l], entries[best]) { best = l }
                if r < entries.count, Self.less(entries[r], entries[best]) { best = r }
                if best == i { break }
                entries.swapAt(i, best); i = best
            }
        }
        return top
    }
}

/// A min-heap of nodes keyed by distance (ties to the lower node index), each node in it
/// at most once: a shorter distance moves the node up where it is. For searches that
/// improve the same nodes many times (``FlowNetwork/canonicalisePotentials(byColumn:)``
/// reaches each row from every column it lists), which ``NodeHeap`` would fill with stale
/// entries.
struct IndexedNodeHeap {
    private var entries: [(Double, Int32)] = []
    private var position: [Int32]

    init(nodes: Int) { position = Array(repeating: -1, count: nodes) }

    /// Adds `node` at `d`, or moves it up to `d` if it is in the heap farther away.
    mutating func push(_ d: Double, _ node: Int32) {
        var i: Int
        if position[Int(node)] >= 0 {
            i = Int(position[Int(node)])
            guard NodeHeap.less((d, node), entries[i]) else { return }
        } else {
            entries.append((d, node)); i = entries.count - 1
        }
        let x = (d, node)
        while i > 0 {
            let parent = (i - 1) / 4
            guard NodeHeap.less(x, entries[parent]) else { break }
            entries[i] = entries[parent]; position[Int(entries[i].1)] = Int32(i); i = parent
        }
        entries[i] = x; position[Int(node)] = Int32(i)
    }

    mutating func pop() -> (Double, Int32)? {
        guard let top = entries.first else { return nil }
        position[Int(top.1)] = -1
        let last = entries.removeLast()
        guard !entries.isEmpty else { return top }
        var i = 0
        while true {
            let first = 4 * i + 1
            guard first < entries.count else { break }
            var best = first
            for c in (first + 1)..<min(first + 4, entries.count) where NodeHeap.less(entries[c], entries[best]) { best = c }
            guard NodeHeap.less(entries[best], last) else { break }
            entries[i] = entries[best]; position[Int(entries[i].1)] = Int32(i); i = best
        }
        entries[i] = last; position[Int(last.1)] = Int32(i)
        return top
    }
}
