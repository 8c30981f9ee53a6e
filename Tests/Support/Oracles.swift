import Assignment

/// Exhaustive search over every feasible set of pairs: the optimum a solver must reach.
/// Returns the optimal objective in minimisation form (including the threshold term in
/// partial mode), or nil when no full matching exists. With `groupMinimums`, a set of pairs
/// counts only when each column group has at least its minimum (the solver's minimums).
/// The one brute-force matching oracle of the tests: the solvers' tests and the matching's
/// end-to-end tests both ask it.
public func bruteForceOptimum(_ p: AssignmentProblem<Double>, groupMinimums: [Int] = []) -> Double? {
    let n = p.rows, m = p.columns
    let sign: Double = p.objective == .maximize ? -1 : 1
    let demand = p.rowDemands ?? Array(repeating: 1, count: n)
    var capacity = p.columnCapacities ?? Array(repeating: 1, count: m)
    let locked = Set(p.locked)
    let limit = p.threshold.map { sign * $0 }
    func allowed(_ i: Int, _ j: Int) -> Bool {
        let x = p.values[i * m + j]
        if locked.contains(Pair(i, j)) { return true }
        if !x.isFinite || p.allowed?[i * m + j] == false { return false }
        if let t = limit, sign * x > t { return false }
        return true
    }
    var groupLeft = p.groupCapacities
    let groupOf = p.columnGroups ?? Array(repeating: -1, count: m)
    var effective = 0
    var perGroup = [Int](repeating: 0, count: groupLeft.count)
    for j in 0..<m { if groupOf[j] >= 0 { perGroup[groupOf[j]] += capacity[j] } else { effective += capacity[j] } }
    for g in perGroup.indices { effective += min(perGroup[g], groupLeft[g]) }
    let required = min(demand.reduce(0, +), effective)
    var best: Double? = nil

    func visit(_ i: Int, _ cost: Double, _ count: Int) {
        if i == n {
            if limit == nil && count != required { return }
            if !groupMinimums.isEmpty {
                let taken = zip(p.groupCapacities, groupLeft).map { $0 - $1 }
                if zip(taken, groupMinimums).contains(where: { $0 < $1 }) { return }
            }
            if best == nil || cost < best! - 1e-12 { best = cost }
            return
        }
        let columns = (0..<m).filter { allowed(i, $0) }
        let mustHave = columns.filter { locked.contains(Pair(i, $0)) }
        // Choose a subset of columns of size ≤ demand[i] that contains every locked pair.
        func choose(_ k: Int, _ picked: Int, _ cost: Double) {
            if k == columns.count {
                visit(i + 1, cost, count + picked)
                return
            }
            let j = columns[k]
            let isLocked = locked.contains(Pair(i, j))
            let g = groupOf[j]
            if picked < demand[i] && capacity[j] > 0 && (g < 0 || groupLeft[g] > 0) {
                capacity[j] -= 1
                if g >= 0 { groupLeft[g] -= 1 }
                let c = sign * p.values[i * m + j] - (limit ?? 0)
                choose(k + 1, picked + 1, cost + c)
                capacity[j] += 1
                if g >= 0 { groupLeft[g] += 1 }
            }
            if !isLocked { choose(k + 1, picked, cost) }
        }
        _ = mustHave
        choose(0, 0, cost)
    }
    visit(0, 0, 0)
    return best
}

/// The solution's objective in the oracle's terms.
public func oracleObjective(_ p: AssignmentProblem<Double>, _ s: AssignmentSolution) -> Double {
    let sign: Double = p.objective == .maximize ? -1 : 1
    let limit = p.threshold.map { sign * $0 } ?? 0
    return s.pairs.reduce(0) { $0 + sign * p.values[$1.row * p.columns + $1.column] - limit }
}

/// Every constraint a user relies on: slots, forbidden cells, locked pairs, no duplicates.
public func violations(_ p: AssignmentProblem<Double>, _ s: AssignmentSolution) -> [String] {
    var problems: [String] = []
    let n = p.rows, m = p.columns
    let demand = p.rowDemands ?? Array(repeating: 1, count: n)
    let capacity = p.columnCapacities ?? Array(repeating: 1, count: m)
    var perRow = [Int](repeating: 0, count: n), perColumn = [Int](repeating: 0, count: m)
    let sign: Double = p.objective == .maximize ? -1 : 1
    let locked = Set(p.locked)
    if Set(s.pairs).count != s.pairs.count { problems.append("duplicate pair") }
    if s.pairs != s.pairs.sorted() { problems.append("pairs not sorted") }
    for pair in s.pairs {
        perRow[pair.row] += 1; perColumn[pair.column] += 1
        let x = p.values[pair.row * m + pair.column]
        if !locked.contains(pair) {
            if !x.isFinite || p.allowed?[pair.row * m + pair.column] == false { problems.append("forbidden \(pair)") }
            if let t = p.threshold, sign * x > sign * t { problems.append("below threshold \(pair)") }
        }
    }
    for i in 0..<n where perRow[i] > demand[i] { problems.append("row \(i) over demand") }
    for j in 0..<m where perColumn[j] > capacity[j] { problems.append("column \(j) over capacity") }
    if let groups = p.columnGroups {
        var perGroup = [Int](repeating: 0, count: p.groupCapacities.count)
        for pair in s.pairs where groups[pair.column] >= 0 { perGroup[groups[pair.column]] += 1 }
        for g in perGroup.indices where perGroup[g] > p.groupCapacities[g] { problems.append("group \(g) over its cap") }
    }
    for pair in locked where !s.pairs.contains(pair) { problems.append("locked \(pair) missing") }
    for i in 0..<n where s.unmatchedDemand[i] != demand[i] - perRow[i] { problems.append("row \(i) unmatched count") }
    return problems
}

/// LP duality gap of the returned potentials: primal minus the dual objective
/// Σ d·u + Σ k·v − Σ max(0, u + v − c) [− Σ d·max(0, u − T)] on the problem left after
/// locked pairs. Zero (to rounding) certifies optimality; the dual must also be feasible
/// (`v ≤ 0` on the side that may keep free slots).
public func dualityGap(_ p: AssignmentProblem<Double>, _ s: AssignmentSolution) -> (gap: Double, feasible: Bool) {
    let n = p.rows, m = p.columns
    let sign: Double = p.objective == .maximize ? -1 : 1
    let locked = Set(p.locked)
    var demand = p.rowDemands ?? Array(repeating: 1, count: n)
    var capacity = p.columnCapacities ?? Array(repeating: 1, count: m)
    for pair in locked { demand[pair.row] -= 1; capacity[pair.column] -= 1 }
    let limit = p.threshold.map { sign * $0 }
    var dual = 0.0
    for i in 0..<n { dual += Double(demand[i]) * s.rowPotentials[i] }
    for j in 0..<m { dual += Double(capacity[j]) * s.columnPotentials[j] }
    for i in 0..<n {
        for j in 0..<m where !locked.contains(Pair(i, j)) {
            let x = p.values[i * m + j]
            guard x.isFinite, p.allowed?[i * m + j] != false else { continue }
            let c = sign * x
            if let t = limit, c > t { continue }
            dual -= max(0, s.rowPotentials[i] + s.columnPotentials[j] - c)
        }
    }
    if let t = limit {
        for i in 0..<n { dual -= Double(demand[i]) * max(0, s.rowPotentials[i] - t) }
    }
    var primal = 0.0
    for pair in s.pairs where !locked.contains(pair) {
        primal += sign * p.values[pair.row * m + pair.column]
    }
    if let t = limit { for i in 0..<n { primal += Double(s.unmatchedDemand[i]) * t } }
    let totalDemand = demand.reduce(0, +), totalCapacity = capacity.reduce(0, +)
    let rowsAreSlack = limit == nil && totalDemand > totalCapacity
    let feasible = totalDemand == totalCapacity ? true : rowsAreSlack
        ? s.rowPotentials.allSatisfy { $0 <= 1e-9 }
        : s.columnPotentials.allSatisfy { $0 <= 1e-9 }
    return (primal - dual, feasible)
}
