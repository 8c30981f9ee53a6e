/// Jonker & Volgenant's augmenting row reduction (Computing 38, 1987), as a warm start
/// for the shortest paths: each row wanting one partner bids for its cheapest arc; a
/// taken single-slot column is handed over and its price raised by the bidder's margin
/// over its second choice, so the displaced row bids again at the new prices. It settles
/// most rows of a contested problem in a few cheap steps and leaves every reduced cost
/// non-negative, so ``settle()`` places the rest exactly.
///
/// It runs without column reduction, so columns never taken keep the sink's potential,
/// as a rectangular problem needs. Rows wanting several partners and columns with several
/// slots that are full are left to the shortest paths: raising the price of a column that
/// several rows hold would break the others' tight arcs. Capped groups take part while
/// they have room: a free column of a group sends its unit through the group, which
/// keeps the sink's potential, so every arc stays tight; a free column of a full group
/// could only be had by displacing some other member's holder, which is the shortest
/// paths' choice, so a row whose best is such a column is left to them. Groups with
/// minimums (whose tiers start at a bonus) leave the whole problem to the shortest paths.
extension FlowNetwork {
    mutating func augmentingRowReduction() {
        guard !minimumTier.contains(where: { $0 > 0 }) else { return }
        columnCeiling = (0..<m).reduce(-Double.infinity) { max($0, potential[columnNode($1)]) }
        var work = (0..<n).filter { supply[$0] == 1 && excess[$0] == 1 }
        // Three passes (measured: `Benchmarks/README.md`). A row displaced on a tie (no
        // change of price) waits for the next pass, so ties cannot cycle within one; the
        // budget bounds a price war of tiny steps, past which shortest paths place the
        // rest faster.
        let budget = 200 * work.count
        var spent = 0
        for _ in 0..<3 {
            var next: [Int] = []
            var k = 0
            while k < work.count && spent < budget {
                let i = work[k]; k += 1; spent += 1
                let (u1, k1, u2, k2) = twoCheapest(row: i)
                if k1 < 0 {
                    potential[i] = -u1
                    takeUnmatched(row: i)
                    continue
                }
                var choice = k1, j = Int(arcColumn[k1])
                if outFlow[j] < capacity[j] {
                    guard hasRoom(column: j) else { continue }   // a full group: shortest paths decide
                    potential[i] = -u1
                    take(arc: choice, fromFree: true)
                    continue
                }
                guard capacity[j] == 1 else { continue }   // several holders: shortest paths decide
                if u1 < u2 {
                    potential[columnNode(j)] -= u2 - u1
                    potential[i] = -u2
                } else if k2 >= 0 && (outFlow[Int(arcColumn[k2])] < capacity[Int(arcColumn[k2])] ? hasRoom(column: Int(arcColumn[k2]))
                                                                                                      : capacity[Int(arcColumn[k2])] == 1) {
                    // A tie: take the second column instead, at no change of price.
                    choice = k2; j = Int(arcColumn[k2])
                    potential[i] = -u1
                    if outFlow[j] < capacity[j] { take(arc: choice, fromFree: true); continue }
                } else if k2 < 0 {
                    potential[i] = -u1
                    takeUnmatched(row: i)
                    continue
                } else {
                    continue
                }
                let evicted = take(arc: choice, fromFree: false)
                // The displaced row bids next if the price rose; on a tie, next pass.
                if u1 < u2 { k -= 1; work[k] = evicted } else { next.append(evicted) }
            }
            work = next + work[k...]
            if work.isEmpty || spent >= budget { break }
        }
    }

    /// The cheapest and second cheapest of row `i`'s choices at the current prices,
    /// `cost − π(column)` over its free arcs and `cost − π(sink)` for going unmatched
    /// (index −1); on equal values the earlier arc, and a column before unmatched.
    func twoCheapest(row i: Int) -> (Double, Int, Double, Int) {
        var u1 = Double.infinity, k1 = -2, u2 = Double.infinity, k2 = -2
        @inline(__always) func offer(_ u: Double, _ k: Int) {
            if u < u1 { u2 = u1; k2 = k1; u1 = u; k1 = k } else if u < u2 { u2 = u; k2 = k }
        }
        offer(unmatchedCost - potential[sinkNode], -1)
        // Arcs come sorted by cost and no column's potential exceeds the ceiling, so an arc
        // whose cost is past the second best found can change nothing, nor can any later.
        for k in rowStart[i]..<rowStart[i + 1] {
            if arcCost[k] - columnCeiling > u2 { break }
            if !arcFlow[k] { offer(arcCost[k] - potential[columnNode(Int(arcColumn[k]))], k) }
        }
        if k1 == -1 && u2 == u1 && k2 >= 0 { swap(&k1, &k2) }   // a column before unmatched, on a tie
        return (u1, k1, u2, k2)
    }

    /// Row `arcRow[k]` takes arc `k`: from a free slot (its column sends one more unit to
    /// the sink), or from the column's single holder, who is displaced and returned.
    @discardableResult
    mutating func take(arc k: Int, fromFree: Bool) -> Int {
        let i = Int(arcRow[k]), j = Int(arcColumn[k])
        var evicted = -1
        if fromFree {
            outFlow[j] += 1
            if groupOf[j] >= 0 {
                let h = Int(groupOf[j])
                groupUsed[h].insert(Int32(j))
                restFlow[h] += 1
            } else {
                usedColumns.insert(Int32(j))
            }
            excess[sinkNode] += 1
        } else {
            let held = Int(holders[j][0])
            evicted = Int(arcRow[held])
            arcFlow[held] = false
            holders[j].removeAll()
            excess[evicted] += 1
        }
        arcFlow[k] = true
        holders[j].append(Int32(k))
        excess[i] -= 1
        return evicted
    }

    /// Whether a free slot of column `j` can send its unit on: ungrouped, or its group
    /// has room (no group has a minimum tier here).
    @inline(__always)
    func hasRoom(column j: Int) -> Bool {
        groupOf[j] < 0 || restFlow[Int(groupOf[j])] < restTier[Int(groupOf[j])]
    }

    mutating func takeUnmatched(row i: Int) {
        unmatchedFlow[i] += 1
        unmatchedRows.insert(Int32(i))
        excess[i] -= 1
        excess[sinkNode] += 1
    }
}
