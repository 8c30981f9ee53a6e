/// Successive shortest paths on the residual network: each unit of excess (a row's
/// demand, or what a saturated new arc displaced) travels along a shortest path, over
/// reduced costs, to the nearest node that lacks flow; potentials then move so that the
/// path is tight and every reduced cost stays non-negative (Ahuja, Magnanti & Orlin,
/// "Network Flows", 1993, §9.7).
///
/// ## Tie-breaking order
///
/// Nodes with excess are served in index order (rows, then columns, then groups). The
/// search settles nodes by distance, and among equal distances the lowest node index
/// (rows < columns < groups < sink), ``NodeHeap``; a node's label changes only on a
/// strictly shorter distance, so the first arc to reach it at its distance is kept. Arcs
/// are relaxed in a fixed order: a row's candidate arcs as listed, then its unmatched
/// arc; a column's holders in the order they took it, then its way out. Runs are
/// therefore reproducible bit for bit.
extension FlowNetwork {
    /// Sends every unit of excess to nodes that lack it. In partial matching every row
    /// can always go unmatched, so a path always exists. With a `budget`, stops once the
    /// searches have labelled that many nodes in all, and returns whether it finished.
    @discardableResult
    mutating func settle(budget: Int = .max) -> Bool {
        columnCeiling = (0..<m).reduce(-Double.infinity) { max($0, potential[columnNode($1)]) }
        var spent = 0
        for v in 0..<(n + m + g + 1) {
            while excess[v] > 0 {
                if spent >= budget { return false }
                augment(from: v)
                spent += touched.count
                #if DEBUG
                if checksInvariants { checkInvariants() }
                #endif
            }
        }
        return true
    }

    /// One shortest path from `s` to the nearest node with a deficit, then potentials and flow.
    mutating func augment(from s: Int) {
        for v in touched { distance[Int(v)] = .infinity; state[Int(v)] = 0; parent[Int(v)] = .none }
        touched.removeAll(keepingCapacity: true)
        heap.removeAll()
        nearestSink = .infinity
        label(s, 0, .none)
        var sink = -1, reach = 0.0
        while let (d, node) = heap.pop() {
            let v = Int(node)
            guard state[v] != 2, d <= distance[v] else { continue }
            state[v] = 2
            if excess[v] < 0 { sink = v; reach = d; break }
            relax(from: v, at: d)
        }
        precondition(sink >= 0, "no node lacks flow: the network is unbalanced")
        for v in touched where state[Int(v)] == 2 && distance[Int(v)] < reach {
            potential[Int(v)] -= reach - distance[Int(v)]
        }
        push(from: s, to: sink)
    }

    /// Moves an optimal flow's potentials to canonical ones: the sink at 0 and every
    /// other node at minus its shortest distance to the sink over the residual network.
    /// Every optimal flow of a problem has the same set of optimal duals, and these are
    /// its lowest point, node by node (along any path to the sink the reduced costs add
    /// up to the path's length plus the node's potential, so no valid potential is
    /// lower). They therefore depend on the problem alone, not on how the flow was found:
    /// cold or warm, by cost scaling or by shortest paths. In the problem's own terms
    /// (``AssignmentSolution``) each row's dual is as high and each column's as low as any
    /// optimum allows: the least prices that support the assignment.
    ///
    /// A node that cannot reach the sink (a row with nothing to send or nowhere to send
    /// it, a column with no slot, a group with no room) has no lowest value: only arcs
    /// into it bind it, from above. It takes the sink's level, or lower where those arcs
    /// require, the highest value they allow below that.
    ///
    /// The search goes against the arcs, so it reads the candidate arcs by column: from a
    /// cost-scaling run's column segments when there is one (each candidate's reverse,
    /// with its row as head and minus its cost), else from a copy made here.
    mutating func canonicalisePotentials(byColumn scaling: CostScaling? = nil) {
        if let scaling {
            canonicalisePotentials(rows: scaling.head, negatedCosts: scaling.cost, start: scaling.first + n)
            return
        }
        var start = [Int](repeating: 0, count: m + 1)
        for j in arcColumn { start[Int(j) + 1] += 1 }
        for j in 0..<m { start[j + 1] += start[j] }
        var fill = start
        var rows = [Int32](repeating: 0, count: arcColumn.count), costs = [Double](repeating: 0, count: arcColumn.count)
        for k in arcColumn.indices {
            let j = Int(arcColumn[k])
            rows[fill[j]] = arcRow[k]; costs[fill[j]] = -arcCost[k]; fill[j] += 1
        }
        rows.withUnsafeBufferPointer { r in
            costs.withUnsafeBufferPointer { c in
                start.withUnsafeBufferPointer { s in
                    canonicalisePotentials(rows: r.baseAddress!, negatedCosts: c.baseAddress!, start: s.baseAddress!)
                }
            }
        }
    }

    /// The search itself: column `j`'s arcs are `start[j]..<start[j + 1]` in `rows` and
    /// `negatedCosts`, where entries whose row is not a row (a column's way out, in a
    /// cost-scaling segment) are skipped.
    private mutating func canonicalisePotentials(rows: UnsafePointer<Int32>, negatedCosts: UnsafePointer<Double>,
                                                 start: UnsafePointer<Int>) {
        precondition(excess.allSatisfy { $0 == 0 }, "only an optimal flow's potentials are canonical")
        let nodes = sinkNode + 1
        var members = [[Int32]](repeating: [], count: g)
        for j in 0..<m where groupOf[j] >= 0 { members[Int(groupOf[j])].append(Int32(j)) }

        var toSink = [Double](repeating: .infinity, count: nodes), done = [Bool](repeating: false, count: nodes)
        var queue = IndexedNodeHeap(nodes: nodes)
        @inline(__always) func reach(_ v: Int, over cost: Double, to w: Int, at d: Double) {
            guard !done[v] else { return }
            let e = d + max(0, cost + potential[v] - potential[w])
            if e < toSink[v] { toSink[v] = e; queue.push(e, Int32(v)) }
        }
        toSink[sinkNode] = 0
        queue.push(0, Int32(sinkNode))
        while let (d, node) = queue.pop() {
            let w = Int(node)
            done[w] = true
            if w < n {
                // The columns holding the row's units, among its first arcs (the best).
                var held = supply[w] - unmatchedFlow[w], k = rowStart[w]
                while held > 0 && k < rowStart[w + 1] {
                    if arcFlow[k] { reach(columnNode(Int(arcColumn[k])), over: -arcCost[k], to: w, at: d); held -= 1 }
                    k += 1
                }
                if unmatchedFlow[w] > 0 { reach(sinkNode, over: -unmatchedCost, to: w, at: d) }
            } else if w < n + m {
                // Every row listing the column, but those it holds (their arcs are full).
                let j = w - n, held = holders[j].map { arcRow[Int($0)] }, pw = potential[w]
                for a in start[j]..<start[j + 1] {
                    let i = rows[a]
                    guard Int(i) < n else { continue }
                    let e = d + max(0, potential[Int(i)] - negatedCosts[a] - pw)
                    guard e < toSink[Int(i)], !done[Int(i)], !held.contains(i) else { continue }
                    toSink[Int(i)] = e; queue.push(e, i)
                }
                if outFlow[j] > 0 { reach(next(ofColumn: j), over: 0, to: w, at: d) }
            } else if w < sinkNode {
                for j in members[w - n - m] where outFlow[Int(j)] < capacity[Int(j)] { reach(columnNode(Int(j)), over: 0, to: w, at: d) }
            } else {
                for i in 0..<n where unmatchedFlow[i] < supply[i] { reach(i, over: unmatchedCost, to: w, at: d) }
                for j in 0..<m where groupOf[j] < 0 && outFlow[j] < capacity[j] { reach(columnNode(j), over: 0, to: w, at: d) }
                for h in 0..<g {
                    if minimumFlow[h] < minimumTier[h] { reach(groupNode(h), over: -bonus, to: w, at: d) }
                    if restFlow[h] < restTier[h] { reach(groupNode(h), over: 0, to: w, at: d) }
                }
            }
        }
        let reference = potential[sinkNode]
        for v in 0..<nodes where done[v] { potential[v] -= reference + toSink[v] }
        lowerStranded((0..<nodes).filter { !done[$0] }, members: members, rows: rows, negatedCosts: negatedCosts, start: start)
    }

    /// Nodes with no path to the sink: no arc leads from them to the others, so only the
    /// arcs into them bind them, from above. Each takes the sink's level or the least of
    /// those bounds, whichever is lower, found by lowering until none is broken (at most as
    /// many sweeps as there are such nodes: the flow is optimal, so no cycle is negative).
    private mutating func lowerStranded(_ stranded: [Int], members: [[Int32]], rows: UnsafePointer<Int32>,
                                        negatedCosts: UnsafePointer<Double>, start: UnsafePointer<Int>) {
        guard !stranded.isEmpty else { return }
        for v in stranded { potential[v] = 0 }
        func bound(_ w: Int) -> Double {
            var b = potential[w]
            if w < n {
                for k in rowStart[w]..<rowStart[w + 1] where arcFlow[k] { b = min(b, potential[columnNode(Int(arcColumn[k]))] - arcCost[k]) }
                if unmatchedFlow[w] > 0 { b = min(b, potential[sinkNode] - unmatchedCost) }
            } else if w < n + m {
                let j = w - n, held = holders[j].map { arcRow[Int($0)] }
                for a in start[j]..<start[j + 1] where Int(rows[a]) < n && !held.contains(rows[a]) {
                    b = min(b, potential[Int(rows[a])] - negatedCosts[a])
                }
                if outFlow[j] > 0 { b = min(b, potential[next(ofColumn: j)]) }
            } else {
                let h = w - n - m
                for j in members[h] where outFlow[Int(j)] < capacity[Int(j)] { b = min(b, potential[columnNode(Int(j))]) }
                if minimumFlow[h] > 0 { b = min(b, potential[sinkNode] + bonus) }
                if restFlow[h] > 0 { b = min(b, potential[sinkNode]) }
            }
            return b
        }
        for _ in 0...stranded.count {
            var lowered = false
            for w in stranded {
                let b = bound(w)
                if b < potential[w] { potential[w] = b; lowered = true }
            }
            if !lowered { break }
        }
    }

    @inline(__always)
    mutating func label(_ v: Int, _ d: Double, _ step: Step) {
        guard d < distance[v], d < nearestSink else { return }
        distance[v] = d
        parent[v] = step
        if state[v] == 0 { state[v] = 1; touched.append(Int32(v)) }
        if excess[v] < 0 { nearestSink = d }
        heap.push(d, Int32(v))
    }

    /// Labels every head of a residual arc out of `v`.
    mutating func relax(from v: Int, at d: Double) {
        @inline(__always) func arc(to w: Int, cost: Double, _ step: Step) {
            guard state[w] != 2 else { return }
            let reduced = cost + potential[v] - potential[w]
            label(w, d + max(0, reduced), step)
        }
        let sinkNode = self.sinkNode
        if v < n {
            // A row's arcs are sorted by cost, and no column's potential exceeds the
            // ceiling: once an arc cannot beat the nearest sink found, no later one can.
            let floor = d + potential[v] - columnCeiling
            for k in rowStart[v]..<rowStart[v + 1] {
                if floor + arcCost[k] >= nearestSink { break }
                guard !arcFlow[k] else { continue }
                let j = Int(arcColumn[k]), w = columnNode(j)
                arc(to: w, cost: arcCost[k], .arc(Int32(k)))
                // A free ungrouped column leads straight to the sink: labelling the sink
                // through it now (a path of that length exists) lets the pruning above
                // stop reading this row's arcs as soon as the cheapest free one is seen.
                if outFlow[j] < capacity[j] && groupOf[j] < 0 && state[w] != 2 && state[sinkNode] != 2 && distance[w] < .infinity {
                    label(sinkNode, distance[w] + max(0, potential[w] - potential[sinkNode]), .out(Int32(j)))
                }
            }
            if unmatchedFlow[v] < supply[v] { arc(to: sinkNode, cost: unmatchedCost, .unmatched(Int32(v))) }
        } else if v < n + m {
            let j = v - n
            for k in holders[j] { arc(to: Int(arcRow[Int(k)]), cost: -arcCost[Int(k)], .arcBack(k)) }
            if outFlow[j] < capacity[j] { arc(to: next(ofColumn: j), cost: 0, .out(Int32(j))) }
        } else if v < sinkNode {
            let h = v - n - m
            if minimumFlow[h] < minimumTier[h] { arc(to: sinkNode, cost: -bonus, .tier(Int32(h), minimum: true)) }
            if restFlow[h] < restTier[h] { arc(to: sinkNode, cost: 0, .tier(Int32(h), minimum: false)) }
            for j in groupUsed[h].items { arc(to: columnNode(Int(j)), cost: 0, .outBack(j)) }
        } else {
            for i in unmatchedRows.items { arc(to: Int(i), cost: -unmatchedCost, .unmatchedBack(i)) }
            for j in usedColumns.items { arc(to: columnNode(Int(j)), cost: 0, .outBack(j)) }
            for h in 0..<g {
                if minimumFlow[h] > 0 { arc(to: groupNode(h), cost: bonus, .tierBack(Int32(h), minimum: true)) }
                if restFlow[h] > 0 { arc(to: groupNode(h), cost: 0, .tierBack(Int32(h), minimum: false)) }
            }
        }
    }

    /// The node a step leaves from.
    func tail(of step: Step) -> Int {
        switch step {
        case .none: preconditionFailure("a path step without an arc")
        case let .arc(k): return Int(arcRow[Int(k)])
        case let .arcBack(k): return columnNode(Int(arcColumn[Int(k)]))
        case let .unmatched(i): return Int(i)
        case .unmatchedBack, .tierBack: return sinkNode
        case let .out(j): return columnNode(Int(j))
        case let .outBack(j): return next(ofColumn: Int(j))
        case let .tier(h, _): return groupNode(Int(h))
        }
    }

    /// How much more flow a step's arc can take.
    func residual(_ step: Step) -> Int {
        switch step {
        case .none: return .max
        case .arc, .arcBack: return 1
        case let .unmatched(i): return supply[Int(i)] - unmatchedFlow[Int(i)]
        case let .unmatchedBack(i): return unmatchedFlow[Int(i)]
        case let .out(j): return capacity[Int(j)] - outFlow[Int(j)]
        case let .outBack(j): return outFlow[Int(j)]
        case let .tier(h, minimum): return minimum ? minimumTier[Int(h)] - minimumFlow[Int(h)] : restTier[Int(h)] - restFlow[Int(h)]
        case let .tierBack(h, minimum): return minimum ? minimumFlow[Int(h)] : restFlow[Int(h)]
        }
    }

    /// Pushes as much as the path, the source's excess and the sink's deficit allow.
    mutating func push(from s: Int, to sink: Int) {
        var amount = min(excess[s], -excess[sink])
        var v = sink
        while v != s { amount = min(amount, residual(parent[v])); v = tail(of: parent[v]) }
        v = sink
        while v != s {
            let step = parent[v]
            apply(step, amount)
            v = tail(of: step)
        }
        excess[s] -= amount
        excess[sink] += amount
    }

    mutating func apply(_ step: Step, _ amount: Int) {
        switch step {
        case .none: break
        case let .arc(k):
            arcFlow[Int(k)] = true
            holders[Int(arcColumn[Int(k)])].append(k)
        case let .arcBack(k):
            arcFlow[Int(k)] = false
            holders[Int(arcColumn[Int(k)])].removeAll { $0 == k }
        case let .unmatched(i):
            unmatchedFlow[Int(i)] += amount
            unmatchedRows.insert(i)
        case let .unmatchedBack(i):
            unmatchedFlow[Int(i)] -= amount
            if unmatchedFlow[Int(i)] == 0 { unmatchedRows.remove(i) }
        case let .out(j):
            outFlow[Int(j)] += amount
            if groupOf[Int(j)] >= 0 { groupUsed[Int(groupOf[Int(j)])].insert(j) } else { usedColumns.insert(j) }
        case let .outBack(j):
            outFlow[Int(j)] -= amount
            if outFlow[Int(j)] == 0 {
                if groupOf[Int(j)] >= 0 { groupUsed[Int(groupOf[Int(j)])].remove(j) } else { usedColumns.remove(j) }
            }
        case let .tier(h, minimum):
            if minimum { minimumFlow[Int(h)] += amount } else { restFlow[Int(h)] += amount }
        case let .tierBack(h, minimum):
            if minimum { minimumFlow[Int(h)] -= amount } else { restFlow[Int(h)] -= amount }
        }
    }

    /// Adds arcs and re-solves warm. The lists are rebuilt with the new arcs merged into
    /// each row's cost order. A new arc with a negative reduced cost would improve the
    /// flow. Rather than saturate each (which would leave a unit of deficit per arc at
    /// its row, often dozens per row), each row with such arcs raises its potential until
    /// the most negative is at 0: its arcs out then all stay non-negative, and only the
    /// arcs back into it (from the columns it holds, and from the sink when it goes
    /// partly unmatched) can turn negative; those are saturated, so the units the row had
    /// placed come back to it as excess for ``optimise()`` to place again. On the shipped
    /// data this leaves about 300 units to move instead of about 5,400.
    ///
    /// With `allowingCold`, it gives up before re-solving (returns false, the network then
    /// to be solved afresh) when the warm start has nothing to give: it freed at least
    /// ``coldShare`` of the units placed and the largest raise is over ``coldRaise`` of the
    /// largest cost, so the potentials are far from the new optimum and nearly every unit
    /// must be placed again (`SparseAssignment.add(_:)` says what that measured).
    @discardableResult
    mutating func add(_ arcs: [(row: Int, arc: SparseAssignmentProblem.Arc)], allowingCold: Bool = false) throws(AssignmentError) -> Bool {
        var extra = [[SparseAssignmentProblem.Arc]](repeating: [], count: n)
        for (row, arc) in arcs { extra[row].append(arc) }
        var start = [0], column: [Int32] = [], cost: [Double] = [], rowOf: [Int32] = [], flow: [Bool] = []
        let total = arcColumn.count + arcs.count
        column.reserveCapacity(total); cost.reserveCapacity(total); rowOf.reserveCapacity(total); flow.reserveCapacity(total)
        var renumber = [Int32](repeating: -1, count: arcColumn.count)
        var listed = [Int32](repeating: -1, count: m)   // the last row seen listing each column
        var added: [Int] = []
        for i in 0..<n {
            let old = rowStart[i]..<rowStart[i + 1]
            guard !extra[i].isEmpty else {
                // Unchanged rows are copied as they are (already in cost order).
                for k in old { renumber[k] = Int32(column.count + k - old.lowerBound) }
                column += arcColumn[old]; cost += arcCost[old]; rowOf += arcRow[old]; flow += arcFlow[old]
                start.append(column.count)
                continue
            }
            // Old arcs (index ≥ 0) and new ones (−1), merged in cost order again.
            for k in old { listed[Int(arcColumn[k])] = Int32(i) }
            var row = old.map { (arcCost[$0], arcColumn[$0], $0) }
            for arc in extra[i] {
                guard listed[arc.column] != Int32(i) else {
                    throw AssignmentError(.shapeMismatch, "arc (\(i), \(arc.column)) is listed already")
                }
                listed[arc.column] = Int32(i)
                row.append((sign * arc.value, Int32(arc.column), -1))
            }
            row.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            for (c, j, old) in row {
                if old >= 0 { renumber[old] = Int32(column.count) } else { added.append(column.count) }
                column.append(j); cost.append(c); rowOf.append(Int32(i)); flow.append(old >= 0 && arcFlow[old])
            }
            start.append(column.count)
        }
        rowStart = start; arcColumn = column; arcCost = cost; arcRow = rowOf; arcFlow = flow
        for j in 0..<m { holders[j] = holders[j].map { renumber[Int($0)] } }
        // Each row with an improving new arc raises its potential until its best new arc
        // is tight; the units it sends along arcs whose reverse this leaves negative come
        // back to it.
        var raise = [Double](repeating: 0, count: n)
        for k in added {
            let i = Int(arcRow[k]), j = Int(arcColumn[k])
            raise[i] = max(raise[i], -(arcCost[k] + potential[i] - potential[columnNode(j)]))
        }
        var violation = 0.0
        for (i, delta) in raise.enumerated() where delta > 0 {
            violation = max(violation, delta)
            potential[i] += delta
            for k in rowStart[i]..<rowStart[i + 1] where arcFlow[k] {
                let j = Int(arcColumn[k])
                guard -arcCost[k] + potential[columnNode(j)] - potential[i] < 0 else { continue }
                arcFlow[k] = false
                holders[j].removeAll { $0 == Int32(k) }
                excess[i] += 1
                excess[columnNode(j)] -= 1
            }
            if unmatchedFlow[i] > 0 && -unmatchedCost + potential[sinkNode] - potential[i] < 0 {
                excess[i] += unmatchedFlow[i]
                excess[sinkNode] -= unmatchedFlow[i]
                unmatchedFlow[i] = 0
                unmatchedRows.remove(Int32(i))
            }
        }
        if allowingCold {
            let placed = supply.reduce(0, +), freed = (0..<n).reduce(0) { $0 + max(0, excess[$1]) }
            var largest = abs(unmatchedCost)
            for c in arcCost { largest = max(largest, abs(c)) }
            if Double(freed) >= Self.coldShare * Double(placed) && violation > Self.coldRaise * largest { return false }
        }
        // The flow is 0-optimal again, so ε may start anywhere: the potentials are off by
        // at most the largest raise, and starting one scaling factor below it measured
        // fastest on the shipped data (a phase fewer; `Benchmarks/README.md`).
        optimise(within: violation / schedule.factor)
        return true
    }

    /// When ``add(_:allowingCold:)`` gives up on a warm start: the share of the units it
    /// freed and the largest raise as a share of the largest cost, both at least these.
    static let coldShare = 0.9, coldRaise = 0.25
}

#if DEBUG
extension FlowNetwork {
    /// Checks the network after an augmentation (debug builds, when `checksInvariants`
    /// is set): every residual arc has a non-negative reduced cost, and flow is
    /// conserved at every node up to its excess.
    func checkInvariants() {
        let scale = max(1, potential.map(abs).max() ?? 0, bonus)
        let tolerance = 1e-9 * scale
        func check(_ v: Int, _ w: Int, _ cost: Double, _ what: @autoclosure () -> String) {
            let reduced = cost + potential[v] - potential[w]
            precondition(reduced >= -tolerance, "\(what()) has reduced cost \(reduced) < 0")
        }
        var inflow = [Int](repeating: 0, count: m), rowOut = [Int](repeating: 0, count: n)
        for k in arcColumn.indices {
            let i = Int(arcRow[k]), j = Int(arcColumn[k])
            if arcFlow[k] { check(columnNode(j), i, -arcCost[k], "reverse of arc (\(i), \(j))"); inflow[j] += 1; rowOut[i] += 1 }
            else { check(i, columnNode(j), arcCost[k], "arc (\(i), \(j))") }
        }
        for i in 0..<n {
            if unmatchedFlow[i] < supply[i] { check(i, sinkNode, unmatchedCost, "unmatched arc of row \(i)") }
            if unmatchedFlow[i] > 0 { check(sinkNode, i, -unmatchedCost, "reverse unmatched arc of row \(i)") }
            precondition(supply[i] - rowOut[i] - unmatchedFlow[i] == excess[i], "row \(i) does not conserve flow")
        }
        var groupIn = [Int](repeating: 0, count: g)
        for j in 0..<m {
            let out = next(ofColumn: j)
            if outFlow[j] < capacity[j] { check(columnNode(j), out, 0, "way out of column \(j)") }
            if outFlow[j] > 0 { check(out, columnNode(j), 0, "reverse way out of column \(j)") }
            precondition(inflow[j] - outFlow[j] == excess[columnNode(j)] && holders[j].count == inflow[j],
                         "column \(j) does not conserve flow")
            if groupOf[j] >= 0 { groupIn[Int(groupOf[j])] += outFlow[j] }
        }
        for h in 0..<g {
            if minimumFlow[h] < minimumTier[h] { check(groupNode(h), sinkNode, -bonus, "minimum tier of group \(h)") }
            if minimumFlow[h] > 0 { check(sinkNode, groupNode(h), bonus, "reverse minimum tier of group \(h)") }
            if restFlow[h] < restTier[h] { check(groupNode(h), sinkNode, 0, "tier of group \(h)") }
            if restFlow[h] > 0 { check(sinkNode, groupNode(h), 0, "reverse tier of group \(h)") }
            precondition(groupIn[h] - minimumFlow[h] - restFlow[h] == excess[groupNode(h)], "group \(h) does not conserve flow")
        }
    }
}
#endif
