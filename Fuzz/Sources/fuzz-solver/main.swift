import Assignment
import Foundation
import FuzzDriver

/// Bytes as a small sparse problem: rows and columns (1–5 each), demands and capacities
/// (1–3), which pairs are listed and their values (multiples of 1/8, so sums are exact),
/// the objective; an unmatched unit of demand is worth 0, so a pair is taken only when it
/// helps. The solver must not crash, and its total must equal the best found by trying
/// every way to pick pairs (exhaustive, feasible at this size).
fuzz { start, count in
    var bytes = UnsafeRawBufferPointer(start: start, count: count).makeIterator()
    func next() -> Int { Int(bytes.next() ?? 0) }
    let rows = 1 + next() % 5, columns = 1 + next() % 5
    let maximize = next() % 2 == 0
    let demands = (0..<rows).map { _ in 1 + next() % 3 }, capacities = (0..<columns).map { _ in 1 + next() % 3 }
    var arcs: [[SparseAssignmentProblem.Arc]] = Array(repeating: [], count: rows)
    for i in 0..<rows {
        for j in 0..<columns where next() % 4 != 0 {
            arcs[i].append(.init(column: j, value: Double(next() % 64 - 16) / 8))
        }
    }
    let problem = SparseAssignmentProblem(rows: rows, columns: columns, arcs: arcs, objective: maximize ? .maximize : .minimize,
                                          rowDemands: demands, columnCapacities: capacities)
    guard let solution = try? problem.solve().solution else { return }
    // Exhaustive: every subset of listed pairs within demands and capacities.
    let all = arcs.enumerated().flatMap { i, list in list.map { (i, $0.column, $0.value) } }
    guard all.count <= 16 else { return }
    var best = 0.0
    for mask in 0..<(1 << all.count) {
        var rowUse = [Int](repeating: 0, count: rows), columnUse = [Int](repeating: 0, count: columns)
        var total = 0.0, feasible = true
        for k in 0..<all.count where mask & (1 << k) != 0 {
            let (i, j, v) = all[k]
            rowUse[i] += 1; columnUse[j] += 1; total += v
            if rowUse[i] > demands[i] || columnUse[j] > capacities[j] { feasible = false; break }
        }
        if feasible && (maximize ? total > best : total < best) { best = total }
    }
    guard solution.total == best else {
        fatalError("solver total \(solution.total), exhaustive \(best): \(problem)")
    }
}

