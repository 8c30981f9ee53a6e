import Dispatch

/// Goldberg's cost scaling (push–relabel on ε-optimal flows: A. V. Goldberg, "An efficient
/// implementation of a scaling minimum-cost flow algorithm", J. Algorithms 22, 1997), run
/// over a ``FlowNetwork``'s residual network to find most of its flow.
///
/// Successive shortest paths alone are slow when every row wants the same few columns:
/// each unit's search then crosses most of the contested rows, hundreds of nodes per unit
/// by the end of the run. Cost scaling moves the potentials of all contested nodes
/// together, ε at a time, with ε divided by a factor (8) from one phase to the next,
/// starting from a 32nd of the largest cost; each phase ends with a flow that is ε-optimal
/// (no residual arc's reduced cost below −ε).
/// Goldberg's heuristics and two of ours make it fast here:
/// - rows bid (the "double push" of Goldberg & Kennedy's assignment code): one reading of
///   a row's arcs finds its best and second best, the unit goes to the best and the row's
///   potential drops to where the second best is at −ε;
/// - global updates (``globalUpdate(_:)``) lower every potential by ε times its distance
///   to the nearest deficit, at the start of a phase and after every
///   ``updateInterval`` × nodes relabels, which saves most relabels;
/// - a row reads its whole list only when its shortlist cannot answer (``scan(row:)``):
///   the eight arcs of lowest value at its last reading and a bound on all the others,
///   which holds later too since values only rise; a column reads only the arcs that can
///   carry its excess (its holders and its way out).
///
/// ε-optimal is not optimal, and the costs are real numbers, so the last phase is not
/// trusted: ``tighten(budget:)`` then looks for potentials under which every residual arc
/// is non-negative (a label-correcting shortest-path pass, which succeeds exactly when the
/// flow has no negative cycle, that is when it is optimal); whatever it cannot fix is
/// saturated and left to the successive shortest paths (``FlowNetwork/settle()``), which
/// finish exactly from any flow whose reduced costs are all non-negative. Exactness never
/// rests on ε; only the speed does.
///
/// The arrays are raw memory owned by the instance: the inner loops read them without
/// bounds or uniqueness checks, every index coming from the arrays themselves.
final class CostScaling {
    /// How far the scaling goes before the exact finish takes over. The defaults are
    /// measured (`Benchmarks/README.md`); tests vary them to show that the result does not
    /// depend on them.
    struct Schedule: Sendable {
        /// ε is divided by this from one phase to the next (Goldberg's α).
        var factor = 8.0
        /// The ε the phases start from, as a fraction of the largest cost (or where a warm
        /// start says, when that is smaller). Goldberg starts from the largest cost
        /// itself; on the shipped data the first phases then only shuffle units among arcs
        /// within a few ε of each other, and starting from a 32nd of it solves the default
        /// problem a quarter faster, cold or warm (`Benchmarks/README.md`).
        var start = 1.0 / 32
        /// The last phase's ε, as a fraction of the largest cost over the number of nodes.
        /// Smaller costs more phases; larger leaves more to the shortest paths; so large
        /// that no phase runs, the shortest paths do everything.
        var lastEpsilon = 1e-4
        /// Whether to look for exact potentials before the shortest paths finish.
        var tightens = true
    }

    /// A global update every this many relabels per node.
    static let updateInterval = 2

    let nodes: Int
    /// Rows come first; a row's arcs are its candidate arcs by increasing cost, then its
    /// unmatched arc (no arc enters a row, so it has no others).
    let rows: Int
    /// Columns follow the rows.
    let columns: Int
    let arcs: Int
    /// Arcs by tail: `first[v]..<first[v + 1]`; `reverse[a]` is the arc back.
    let first: UnsafeMutablePointer<Int>
    let head: UnsafeMutablePointer<Int32>
    let cost: UnsafeMutablePointer<Double>
    let residual: UnsafeMutablePointer<Int>
    let reverse: UnsafeMutablePointer<Int32>
    /// An arc's residual plus its reverse's: fixed, so either can be read from the other.
    let span: UnsafeMutablePointer<Int>
    let excess: UnsafeMutablePointer<Int>
    let potential: UnsafeMutablePointer<Double>
    /// The forward arc of each of the network's arcs, candidates first, then
    /// ``FlowNetwork/forEachOtherArc(_:)``'s.
    let forward: UnsafeMutablePointer<Int>
    /// No column's potential is above this during a phase (potentials only fall).
    private var ceiling = 0.0
    /// Per column, its way out and the reverses of the candidate arcs carrying flow into
    /// it (its holders): the only residual arcs it has besides its way out, so a column
    /// reads these and not the reverses of every arc into it.
    let wayOut: UnsafeMutablePointer<Int>
    let holderStart: UnsafeMutablePointer<Int>
    let holderCount: UnsafeMutablePointer<Int>
    let holderArcs: UnsafeMutablePointer<Int32>
    /// Per row, the arcs of lowest value at its last reading (−1 count: none yet) and a
    /// bound every other arc's value is at least (see ``scan(row:)``): a bid reads its
    /// whole list only when the shortlist's second best is above the bound.
    static let shortlistWidth = 8
    let shortlist: UnsafeMutablePointer<Int32>
    let shortlistCount: UnsafeMutablePointer<Int>
    let shortlistBound: UnsafeMutablePointer<Double>
    /// Scratch for ``scan(row:)``: the values of the arcs it keeps.
    let shortlistValues: UnsafeMutablePointer<Double>

    init(_ network: FlowNetwork) {
        nodes = network.sinkNode + 1
        rows = network.n
        columns = network.m
        let n = network.n, m = network.m, candidates = network.arcColumn.count
        // Degrees: a row's candidates and its unmatched arc; a column's reverse candidates
        // and its way out; the other arcs (way outs, tiers) counted at both ends.
        let first = LargeMemory.allocate(Int.self, count: nodes + 1)
        first.initialize(repeating: 0, count: nodes + 1)
        for i in 0..<n { first[i + 1] = network.rowStart[i + 1] - network.rowStart[i] }
        for j in network.arcColumn { first[n + Int(j) + 1] += 1 }
        var count = candidates
        network.forEachOtherArc { tail, head, _, _, _ in
            first[tail + 1] += 1; first[head + 1] += 1; count += 1
        }
        for v in 0..<nodes { first[v + 1] += first[v] }
        self.first = first
        arcs = 2 * count
        head = LargeMemory.allocate(Int32.self, count: arcs)
        cost = LargeMemory.allocate(Double.self, count: arcs)
        residual = LargeMemory.allocate(Int.self, count: arcs)
        reverse = LargeMemory.allocate(Int32.self, count: arcs)
        span = LargeMemory.allocate(Int.self, count: arcs)
        forward = LargeMemory.allocate(Int.self, count: count)
        excess = LargeMemory.allocate(Int.self, count: nodes)
        potential = LargeMemory.allocate(Double.self, count: nodes)
        CandidateLayout.place(network, first: first, head: head, cost: cost, residual: residual,
                              reverse: reverse, span: span, forward: forward)
        // The other arcs go after the candidates: a row's unmatched arc last in its
        // segment, a column's way out after its reverse candidates.
        let next = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        defer { next.deallocate() }
        next.initialize(from: first, count: nodes)
        for v in 0..<(n + m) { next[v] = first[v + 1] - 1 }
        var e = candidates
        network.forEachOtherArc { [head, cost, residual, reverse, span, forward] tail, to, c, capacity, flow in
            let a = next[tail], b = next[to]
            next[tail] += 1; next[to] += 1
            (head + a).initialize(to: Int32(to)); (cost + a).initialize(to: c)
            (residual + a).initialize(to: capacity - flow); (reverse + a).initialize(to: Int32(b))
            (head + b).initialize(to: Int32(tail)); (cost + b).initialize(to: -c)
            (residual + b).initialize(to: flow); (reverse + b).initialize(to: Int32(a))
            (span + a).initialize(to: capacity); (span + b).initialize(to: capacity)
            (forward + e).initialize(to: a); e += 1
        }
        wayOut = LargeMemory.allocate(Int.self, count: m)
        holderStart = LargeMemory.allocate(Int.self, count: m + 1)
        holderCount = LargeMemory.allocate(Int.self, count: m)
        holderCount.initialize(repeating: 0, count: m)
        var indegree = [Int](repeating: 0, count: m)
        for k in 0..<candidates { indegree[Int(network.arcColumn[k])] += 1 }
        holderStart[0] = 0
        for j in 0..<m {
            wayOut[j] = forward[network.wayOutArc(j)]
            // Rows may push more into a column than its slots (the excess goes back).
            holderStart[j + 1] = holderStart[j] + indegree[j]
        }
        holderArcs = LargeMemory.allocate(Int32.self, count: holderStart[m])
        for k in 0..<candidates where network.arcFlow[k] {
            let j = Int(network.arcColumn[k])
            holderArcs[holderStart[j] + holderCount[j]] = reverse[forward[k]]
            holderCount[j] += 1
        }
        shortlist = LargeMemory.allocate(Int32.self, count: rows * Self.shortlistWidth)
        shortlistCount = LargeMemory.allocate(Int.self, count: rows)
        shortlistCount.initialize(repeating: -1, count: rows)
        shortlistBound = LargeMemory.allocate(Double.self, count: rows)
        shortlistBound.initialize(repeating: -.infinity, count: rows)
        shortlistValues = LargeMemory.allocate(Double.self, count: Self.shortlistWidth)
        excess.initialize(from: network.excess, count: nodes)
        potential.initialize(from: network.potential, count: nodes)
    }

    deinit {
        for pointer in [first, residual, span, excess, forward, shortlistCount, wayOut, holderStart, holderCount] { LargeMemory.deallocate(pointer) }
        for pointer in [head, reverse, shortlist, holderArcs] { LargeMemory.deallocate(pointer) }
        for pointer in [cost, potential, shortlistBound, shortlistValues] { LargeMemory.deallocate(pointer) }
    }

    @inline(__always)
    func reduced(_ a: Int, from v: Int) -> Double { cost[a] + potential[v] - potential[Int(head[a])] }

    /// The flow on the network's `e`-th arc (candidates first, then ``FlowNetwork/forEachOtherArc(_:)``'s).
    func flow(_ e: Int) -> Int { residual[Int(reverse[forward[e]])] }

    // MARK: Scaling

    /// Runs the phases from ε = `start` (or the largest violation, or with imbalances and
    /// none, the largest cost), at most the schedule's start, down to its last ε.
    func run(_ schedule: Schedule, from start: Double? = nil) {
        var largest = 0.0, violation = 0.0
        for v in 0..<nodes {
            for a in first[v]..<first[v + 1] {
                largest = max(largest, abs(cost[a]))
                if residual[a] > 0 { violation = max(violation, -reduced(a, from: v)) }
            }
        }
        let imbalanced = (0..<nodes).contains { excess[$0] != 0 }
        var epsilon = min(max(violation, start ?? (imbalanced ? largest : 0)), largest * schedule.start)
        let last = largest * schedule.lastEpsilon / Double(nodes)
        while epsilon > last {
            epsilon = max(epsilon / schedule.factor, last)
            refine(epsilon)
        }
    }

    /// One phase: saturates every arc with a negative reduced cost (a 0-optimal flow with
    /// imbalances), then discharges nodes with excess first in, first out: pushes along
    /// admissible arcs (residual, reduced cost below 0), and when a node has none left,
    /// lowers its potential until its best arc is at −ε. Ends ε-optimal and balanced.
    func refine(_ epsilon: Double) {
        saturateNegativeArcs()
        var queue = Queue(nodes)
        for v in 0..<nodes where excess[v] > 0 { queue.append(v) }
        let current = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        defer { current.deallocate() }
        current.initialize(from: first, count: nodes)
        globalUpdate(epsilon)
        ceiling = (rows..<rows + columns).reduce(-Double.infinity) { max($0, potential[$1]) }
        var relabels = 0
        while let v = queue.next() {
            if v < rows {
                if bid(v, epsilon, &queue) { relabels += 1 }
            } else if v < rows + columns {
                if dischargeColumn(v, epsilon, &queue) { relabels += 1 }
            } else {
                while excess[v] > 0 {
                    var a = current[v]
                    let end = first[v + 1]
                    while a < end {
                        if residual[a] > 0 && reduced(a, from: v) < 0 {
                            push(a, from: v, min(excess[v], residual[a]), &queue)
                            if excess[v] == 0 { break }   // the arc stays current if it has room left
                        }
                        a += 1
                    }
                    current[v] = a
                    if excess[v] > 0 {
                        relabel(v, epsilon)
                        current[v] = first[v]
                        relabels += 1
                    }
                }
            }
            if relabels >= Self.updateInterval * nodes {
                globalUpdate(epsilon)
                current.update(from: first, count: nodes)
                relabels = 0
            }
        }
    }

    /// A row's excess, unit by unit, as a bid: the row's best and second best arcs (from
    /// its shortlist when that suffices, else one reading of its arcs); the unit goes
    /// along the best, after a relabel if it was not admissible; then the row's potential
    /// drops to where its second best is at −ε, the lowest that keeps it ε-optimal, so it
    /// need not relabel when the unit comes back. Returns whether it relabelled.
    func bid(_ v: Int, _ epsilon: Double, _ queue: inout Queue) -> Bool {
        var relabelled = false
        let unmatched = first[v + 1] - 1
        while excess[v] > 0 {
            var best = Double.infinity, second = Double.infinity, chosen = -1
            @inline(__always) func offer(_ a: Int) {
                let value = cost[a] - potential[Int(head[a])]
                if value < best { second = best; best = value; chosen = a } else if value < second { second = value }
            }
            if residual[unmatched] > 0 { offer(unmatched) }
            let listed = shortlistCount[v], base = v * Self.shortlistWidth
            for s in 0..<max(0, listed) where residual[Int(shortlist[base + s])] > 0 { offer(Int(shortlist[base + s])) }
            if listed < 0 || second > shortlistBound[v] {
                best = .infinity; second = .infinity; chosen = -1
                if residual[unmatched] > 0 { offer(unmatched) }
                for a in scan(row: v) { offer(Int(a)) }
            }
            precondition(chosen >= 0, "a row with excess has no residual arc: the network is unbalanced")
            if best + potential[v] >= 0 { potential[v] = -best - epsilon; relabelled = true }
            push(chosen, from: v, min(excess[v], residual[chosen]), &queue)
            let floor = residual[chosen] > 0 ? best : second
            if floor < .infinity { potential[v] = min(potential[v], -floor - epsilon) }
        }
        return relabelled
    }

    /// Reads row `v`'s residual candidate arcs in cost order and makes its shortlist: the
    /// ``shortlistWidth`` of lowest value (cost − the column's potential), and a bound that
    /// every other arc's value is at least, now and later (potentials only fall, so values
    /// only rise). Stops reading once no arc can beat the shortlist: an arc's value is at
    /// least its cost less the highest column potential. Returns the shortlist.
    func scan(row v: Int) -> UnsafeMutableBufferPointer<Int32> {
        let width = Self.shortlistWidth, base = shortlist + v * width
        let kept = shortlistValues
        var count = 0, bound = Double.infinity
        let unmatched = first[v + 1] - 1
        for a in first[v]..<unmatched {
            let worst = count == width ? kept[width - 1] : .infinity
            if cost[a] - ceiling >= worst { bound = min(bound, cost[a] - ceiling); break }
            guard residual[a] > 0 else { continue }
            let value = cost[a] - potential[Int(head[a])]
            guard value < worst else { bound = min(bound, value); continue }
            if count == width { bound = min(bound, kept[width - 1]) } else { count += 1 }
            // Insertion into the kept values, lowest first (the earlier arc first on a tie).
            var k = count - 1
            while k > 0 && kept[k - 1] > value { kept[k] = kept[k - 1]; base[k] = base[k - 1]; k -= 1 }
            kept[k] = value; base[k] = Int32(a)
        }
        shortlistCount[v] = count
        shortlistBound[v] = bound
        return UnsafeMutableBufferPointer(start: base, count: count)
    }

    /// Arc `a` of row `v` has room again (the unit it carried came back): it joins the
    /// shortlist, or, when that is full, the shortlist is dropped until the next reading.
    @inline(__always)
    func reopen(_ a: Int, of v: Int) {
        let count = shortlistCount[v]
        guard count >= 0 else { return }
        let base = v * Self.shortlistWidth
        for s in 0..<count where Int(shortlist[base + s]) == a { return }
        if count < Self.shortlistWidth { shortlist[base + count] = Int32(a); shortlistCount[v] = count + 1 } else { shortlistCount[v] = -1 }
    }

    @inline(__always)
    func push(_ a: Int, from v: Int, _ amount: Int, _ queue: inout Queue) {
        move(a, from: v, amount)
        let w = Int(head[a])
        if excess[w] > 0 { queue.append(w) }
    }

    /// Sends `amount` along arc `a` out of `v`, keeping the holders and shortlists.
    @inline(__always)
    func move(_ a: Int, from v: Int, _ amount: Int) {
        let w = Int(head[a]), back = Int(reverse[a])
        residual[a] -= amount
        residual[back] += amount
        excess[v] -= amount
        excess[w] += amount
        if v < rows {
            // A candidate arc now carries flow: its reverse holds the column.
            if w < rows + columns { let j = w - rows; holderArcs[holderStart[j] + holderCount[j]] = Int32(back); holderCount[j] += 1 }
        } else if w < rows && v < rows + columns {
            // The unit came back to the row: the column lets go, the arc has room again.
            let j = v - rows, start = holderStart[j]
            var s = 0
            while Int(holderArcs[start + s]) != a { s += 1 }
            holderCount[j] -= 1
            holderArcs[start + s] = holderArcs[start + holderCount[j]]
            reopen(back, of: w)
        }
    }

    /// A column's excess goes back to a holder or out, along admissible arcs; when none is,
    /// the column's potential drops until its best arc is at −ε. Returns whether it
    /// relabelled.
    func dischargeColumn(_ v: Int, _ epsilon: Double, _ queue: inout Queue) -> Bool {
        let j = v - rows, out = wayOut[j], start = holderStart[j]
        var relabelled = false
        while excess[v] > 0 {
            if residual[out] > 0 && reduced(out, from: v) < 0 {
                push(out, from: v, min(excess[v], residual[out]), &queue)
                continue
            }
            var s = 0
            while s < holderCount[j] && excess[v] > 0 {
                let b = Int(holderArcs[start + s])
                if reduced(b, from: v) < 0 { push(b, from: v, 1, &queue) } else { s += 1 }   // a push removes it from s
            }
            guard excess[v] > 0 else { break }
            var best = residual[out] > 0 ? cost[out] - potential[Int(head[out])] : .infinity
            for s in 0..<holderCount[j] {
                let b = Int(holderArcs[start + s])
                best = min(best, cost[b] - potential[Int(head[b])])
            }
            precondition(best < .infinity, "a column with excess has no residual arc: the network is unbalanced")
            potential[v] = -best - epsilon
            relabelled = true
        }
        return relabelled
    }

    /// Lowers `v`'s potential until its best residual arc has reduced cost −ε.
    func relabel(_ v: Int, _ epsilon: Double) {
        var best = Double.infinity
        for a in first[v]..<first[v + 1] where residual[a] > 0 {
            best = min(best, cost[a] - potential[Int(head[a])])
        }
        precondition(best < .infinity, "a node with excess has no residual arc: the network is unbalanced")
        potential[v] = -best - epsilon
    }

    /// Goldberg's global update: lowers every node's potential by ε times its distance to
    /// the nearest deficit, counting for each residual arc the ε-steps it is from being
    /// admissible (`⌊reduced/ε⌋ + 1`), so that every node with excess gets an admissible
    /// path and every arc stays at least −ε. Nodes not reached by the time every excess
    /// is reached are lowered as far as the last distance reached (which keeps the arcs
    /// between them and the reached ones at least −ε too).
    func globalUpdate(_ epsilon: Double) {
        let limit = nodes, perStep = 1 / epsilon
        // Buckets of tentative distances as linked lists of entries; a node may have
        // several entries, and only the one matching its label counts.
        let label = UnsafeMutablePointer<Int>.allocate(capacity: nodes), settled = UnsafeMutablePointer<Bool>.allocate(capacity: nodes)
        let bucket = UnsafeMutablePointer<Int32>.allocate(capacity: limit + 1)
        defer { label.deallocate(); settled.deallocate(); bucket.deallocate() }
        label.initialize(repeating: .max, count: nodes)
        settled.initialize(repeating: false, count: nodes)
        bucket.initialize(repeating: -1, count: limit + 1)
        var entryNode: [Int32] = [], entryNext: [Int32] = []
        entryNode.reserveCapacity(4 * nodes); entryNext.reserveCapacity(4 * nodes)
        func file(_ v: Int, _ d: Int) {
            entryNode.append(Int32(v)); entryNext.append(bucket[d]); bucket[d] = Int32(entryNode.count - 1)
        }
        var remaining = 0
        for v in 0..<nodes {
            if excess[v] < 0 { label[v] = 0; file(v, 0) } else if excess[v] > 0 { remaining += 1 }
        }
        var k = 0
        search: while k <= limit {
            while bucket[k] >= 0 {
                let entry = Int(bucket[k])
                bucket[k] = entryNext[entry]
                let w = Int(entryNode[entry])
                if settled[w] || label[w] != k { continue }
                settled[w] = true
                if excess[w] > 0 { remaining -= 1; if remaining == 0 { break search } }
                let pw = potential[w]
                // The arc v → w has room when its reverse, b, has less than their span.
                // A settled node's label is below d, so the label test skips it too.
                @inline(__always) func reach(_ b: Int) {
                    let v = Int(head[b])
                    let steps = (potential[v] - pw - cost[b]) * perStep
                    guard steps < Double(limit) else { return }
                    let d = k + max(0, Int(steps) + 1)
                    if d < label[v] && d <= limit && span[b] > residual[b] { label[v] = d; file(v, d) }
                }
                if w < rows {
                    // Into a row: back from the columns it sends units to, found among its
                    // first arcs (it sends its supply less its excess, less what goes
                    // unmatched), and from the sink along its unmatched arc.
                    let unmatched = first[w + 1] - 1
                    var sending = residual[unmatched] - excess[w]
                    var b = first[w]
                    while sending > 0 && b < unmatched {
                        if residual[b] == 0 { reach(b); sending -= 1 }
                        b += 1
                    }
                    reach(unmatched)
                } else {
                    for b in first[w]..<first[w + 1] { reach(b) }
                }
            }
            k += 1
        }
        for v in 0..<nodes { potential[v] -= Double(settled[v] ? label[v] : min(k, limit)) * epsilon }
    }

    // MARK: Exact potentials

    /// Lowers potentials, first in first out, until no residual arc has a negative reduced
    /// cost (Bellman–Ford with a queue): each potential becomes a shortest distance, which
    /// exists exactly when the flow has no negative cycle. Gives up after `budget` arc
    /// readings, leaving the rest to ``saturateNegativeArcs()``.
    func tighten(budget: Int) {
        var queue = Queue(nodes)
        for v in 0..<nodes { queue.append(v) }
        var spent = 0
        while spent < budget, let v = queue.next() {
            for a in first[v]..<first[v + 1] where residual[a] > 0 {
                let w = Int(head[a])
                if cost[a] + potential[v] - potential[w] < 0 {
                    potential[w] = cost[a] + potential[v]
                    queue.append(w)
                }
            }
            spent += first[v + 1] - first[v]
        }
    }

    /// Saturates every residual arc whose reduced cost is below 0, so that none is; the
    /// excesses and deficits this leaves are for the next phase or the shortest paths.
    /// (Each such arc is saturated once whatever the order: the arc back has a positive
    /// reduced cost.) Reads only the arcs that can be negative: a row's candidate arcs
    /// until their cost rules it out (no reduced cost is below cost + π(row) − the highest
    /// column potential, and costs only rise along the list), then its unmatched arc; a
    /// column's way out and the arcs back to its holders.
    func saturateNegativeArcs() {
        @inline(__always) func saturate(_ a: Int, from v: Int) {
            if residual[a] > 0 && reduced(a, from: v) < 0 { move(a, from: v, residual[a]) }
        }
        let top = (rows..<rows + columns).reduce(-Double.infinity) { max($0, potential[$1]) }
        for v in 0..<rows {
            let unmatched = first[v + 1] - 1
            for a in first[v]..<unmatched {
                if cost[a] + potential[v] - top >= 0 { break }
                saturate(a, from: v)
            }
            saturate(unmatched, from: v)
        }
        for j in 0..<columns {
            let v = rows + j, start = holderStart[j]
            saturate(wayOut[j], from: v)
            var s = 0
            while s < holderCount[j] {
                let b = Int(holderArcs[start + s])
                if reduced(b, from: v) < 0 { move(b, from: v, residual[b]) } else { s += 1 }   // a move removes it from s
            }
        }
        for v in (rows + columns)..<nodes {
            for a in first[v]..<first[v + 1] { saturate(a, from: v) }
        }
    }
}

/// Lays out a network's candidate arcs in ``CostScaling``'s arrays: each forward arc in its
/// row's segment (rows are row-major, so these are written in order) and its reverse in
/// its column's segment, in row order there. Writing the reverses straight into 2,000-odd
/// column segments scatters every write over five arrays; instead one pass files each
/// candidate under its column (one small scattered write), then each side is written in
/// order, the rows' on one thread and the columns' on another. The two write disjoint
/// places of the arrays and only read the rest, hence `@unchecked Sendable`.
private struct CandidateLayout: @unchecked Sendable {
    let n: Int, m: Int, candidates: Int
    let first: UnsafeMutablePointer<Int>
    let head: UnsafeMutablePointer<Int32>, cost: UnsafeMutablePointer<Double>, residual: UnsafeMutablePointer<Int>
    let reverse: UnsafeMutablePointer<Int32>, span: UnsafeMutablePointer<Int>, forward: UnsafeMutablePointer<Int>
    let arcRow: UnsafeBufferPointer<Int32>, arcColumn: UnsafeBufferPointer<Int32>
    let arcCost: UnsafeBufferPointer<Double>, arcFlow: UnsafeBufferPointer<Bool>
    /// Per candidate, where its reverse goes; per place of the columns' segments (from
    /// the first column's), the candidate whose reverse it holds.
    let position: UnsafeMutablePointer<Int32>, filed: UnsafeMutablePointer<Int32>

    static func place(
        _ network: FlowNetwork, first: UnsafeMutablePointer<Int>, head: UnsafeMutablePointer<Int32>,
        cost: UnsafeMutablePointer<Double>, residual: UnsafeMutablePointer<Int>, reverse: UnsafeMutablePointer<Int32>,
        span: UnsafeMutablePointer<Int>, forward: UnsafeMutablePointer<Int>
    ) {
        let n = network.n, m = network.m, candidates = network.arcColumn.count
        guard candidates > 0 else { return }
        let position = UnsafeMutablePointer<Int32>.allocate(capacity: candidates)
        let filed = UnsafeMutablePointer<Int32>.allocate(capacity: first[n + m] - first[n])
        defer { position.deallocate(); filed.deallocate() }
        network.arcRow.withUnsafeBufferPointer { arcRow in
        network.arcColumn.withUnsafeBufferPointer { arcColumn in
        network.arcCost.withUnsafeBufferPointer { arcCost in
        network.arcFlow.withUnsafeBufferPointer { arcFlow in
            let layout = CandidateLayout(
                n: n, m: m, candidates: candidates, first: first, head: head, cost: cost, residual: residual,
                reverse: reverse, span: span, forward: forward, arcRow: arcRow, arcColumn: arcColumn,
                arcCost: arcCost, arcFlow: arcFlow, position: position, filed: filed)
            layout.file()
            DispatchQueue.concurrentPerform(iterations: 2) { side in
                if side == 0 { layout.writeRows() } else { layout.writeColumns() }
            }
        }}}}
    }

    /// Files each candidate under its column, in row order.
    func file() {
        let base = first[n]
        let next = UnsafeMutablePointer<Int>.allocate(capacity: m)
        defer { next.deallocate() }
        for j in 0..<m { next[j] = first[n + j] }
        for k in 0..<candidates {
            let j = Int(arcColumn[k]), b = next[j]
            next[j] = b + 1
            position[k] = Int32(b)
            filed[b - base] = Int32(k)
        }
    }

    /// The forward arcs. A row's segment starts at its first candidate's index plus the
    /// row: each row before it has one arc more, its unmatched one.
    func writeRows() {
        for k in 0..<candidates {
            let a = k + Int(arcRow[k])
            (head + a).initialize(to: Int32(n) + arcColumn[k]); (cost + a).initialize(to: arcCost[k])
            (residual + a).initialize(to: arcFlow[k] ? 0 : 1); (reverse + a).initialize(to: position[k])
            (span + a).initialize(to: 1); (forward + k).initialize(to: a)
        }
    }

    /// The reverse arcs, column by column (each column's way out comes after them).
    func writeColumns() {
        let base = first[n]
        for j in 0..<m {
            for b in first[n + j]..<(first[n + j + 1] - 1) {
                let k = Int(filed[b - base]), i = arcRow[k]
                (head + b).initialize(to: i); (cost + b).initialize(to: -arcCost[k])
                (residual + b).initialize(to: arcFlow[k] ? 1 : 0); (reverse + b).initialize(to: Int32(k) + i)
                (span + b).initialize(to: 1)
            }
        }
    }
}

/// Nodes to visit, first in first out, each at most once at a time.
struct Queue {
    private var items: [Int32] = []
    private var at = 0
    private var queued: [Bool]

    init(_ nodes: Int) { queued = Array(repeating: false, count: nodes) }

    mutating func append(_ v: Int) {
        guard !queued[v] else { return }
        queued[v] = true
        items.append(Int32(v))
    }

    mutating func next() -> Int? {
        guard at < items.count else { return nil }
        let v = Int(items[at])
        at += 1
        queued[v] = false
        if at > 4096 && 2 * at > items.count { items.removeFirst(at); at = 0 }
        return v
    }
}

extension FlowNetwork {
    /// Nodes the shortest paths may label, per node of the network, before cost scaling
    /// takes over (measured: `Benchmarks/README.md`).
    static let searchBudget = 2

    /// The network's arcs besides the candidates, with tail, head, cost, capacity and flow:
    /// each row's unmatched arc, each column's way out, each group's two tiers. The
    /// network's arcs are numbered candidates first (candidate `k` is arc `k`), then these
    /// in this order.
    func forEachOtherArc(_ body: (_ tail: Int, _ head: Int, _ cost: Double, _ capacity: Int, _ flow: Int) -> Void) {
        // The positions below (unmatchedArc, wayOutArc, tierArc) follow this order.
        for i in 0..<n { body(i, sinkNode, unmatchedCost, supply[i], unmatchedFlow[i]) }
        for j in 0..<m { body(columnNode(j), next(ofColumn: j), 0, capacity[j], outFlow[j]) }
        for h in 0..<g {
            body(groupNode(h), sinkNode, -bonus, minimumTier[h], minimumFlow[h])
            body(groupNode(h), sinkNode, 0, restTier[h], restFlow[h])
        }
    }

    /// Positions in the network's arc numbering (``forEachOtherArc(_:)``).
    func unmatchedArc(_ i: Int) -> Int { arcColumn.count + i }
    func wayOutArc(_ j: Int) -> Int { arcColumn.count + n + j }
    func tierArc(_ h: Int, minimum: Bool) -> Int { arcColumn.count + n + m + 2 * h + (minimum ? 0 : 1) }

    /// Finds the optimal flow from a flow whose residual arcs all have non-negative
    /// reduced costs (the empty flow, or one warm after arcs were added). Shortest paths
    /// first, while they are cheap: when the problem is not contested, each unit finds a
    /// free column in a few steps and nothing else is needed. Once the searches have
    /// labelled ``FlowNetwork/searchBudget`` nodes per node, the problem is contested, and
    /// cost scaling takes over for the rest, then exact potentials, then shortest paths
    /// again for whatever is left (see ``CostScaling``). The potentials then move to
    /// the canonical ones (``canonicalisePotentials(byColumn:)``), so that the duals do
    /// not depend on which of these paths the flow took.
    ///
    /// `within`: where cost scaling starts its ε when the caller knows better than the
    /// largest cost (after arcs were added: see ``add(_:)``).
    mutating func optimise(within distance: Double? = nil) {
        if settle(budget: Self.searchBudget * (n + m + g + 1)) {
            canonicalisePotentials()
        } else {
            let scaling = CostScaling(self)
            scaling.run(schedule, from: distance)
            if schedule.tightens { scaling.tighten(budget: 8 * scaling.arcs) }
            scaling.saturateNegativeArcs()
            adopt(scaling)
            settle()
            canonicalisePotentials(byColumn: scaling)
        }
        #if DEBUG
        if checksInvariants { checkInvariants() }
        #endif
    }

    /// Takes the flow, excesses and potentials of a scaling run; the lists that follow
    /// flow (holders, used columns, unmatched rows) are rebuilt in index order.
    mutating func adopt(_ scaling: CostScaling) {
        for j in 0..<m { holders[j].removeAll(keepingCapacity: true) }
        for k in arcColumn.indices {
            arcFlow[k] = scaling.flow(k) > 0
            if arcFlow[k] { holders[Int(arcColumn[k])].append(Int32(k)) }
        }
        unmatchedRows = IndexList()
        for i in 0..<n {
            unmatchedFlow[i] = scaling.flow(unmatchedArc(i))
            if unmatchedFlow[i] > 0 { unmatchedRows.insert(Int32(i)) }
        }
        usedColumns = IndexList()
        groupUsed = Array(repeating: IndexList(), count: g)
        for j in 0..<m {
            outFlow[j] = scaling.flow(wayOutArc(j))
            if outFlow[j] > 0 {
                if groupOf[j] >= 0 { groupUsed[Int(groupOf[j])].insert(Int32(j)) } else { usedColumns.insert(Int32(j)) }
            }
        }
        for h in 0..<g {
            minimumFlow[h] = scaling.flow(tierArc(h, minimum: true)); restFlow[h] = scaling.flow(tierArc(h, minimum: false))
        }
        excess = Array(UnsafeBufferPointer(start: scaling.excess, count: scaling.nodes))
        potential = Array(UnsafeBufferPointer(start: scaling.potential, count: scaling.nodes))
    }
}
