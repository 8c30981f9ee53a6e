import Foundation
import Testing
import TwinningTestSupport
@testable import Assignment
import SeededRandom

/// A random partial problem, dense, with the same slots, locked pairs and caps the
/// sparse form will get: scores in [0, 1) (maximise), forbidden cells as −∞.
func randomPartialProblem(rows n: Int, columns m: Int, seed: UInt64, integerTies: Bool,
                          groups: Int = 0) -> AssignmentProblem<Double> {
    var g = SplitMix64(seed: seed)
    var values = (0..<(n * m)).map { _ in integerTies ? Double(Int.random(in: 0..<4, using: &g)) / 4 : g.nextUnit() }
    for k in 0..<(n * m) where g.nextUnit() < 0.2 { values[k] = -.infinity }
    var p = AssignmentProblem(rows: n, columns: m, values: values, objective: .maximize,
                              rowDemands: (0..<n).map { _ in Int.random(in: 1...2, using: &g) },
                              columnCapacities: (0..<m).map { _ in Int.random(in: 1...2, using: &g) },
                              threshold: integerTies ? 0.25 : 0.1)
    if g.nextUnit() < 0.4 {
        let i = Int.random(in: 0..<n, using: &g), j = Int.random(in: 0..<m, using: &g)
        if values[i * m + j].isFinite { p.locked = [Pair(i, j)] }
    }
    if groups > 0 {
        p.columnGroups = (0..<m).map { _ in Int.random(in: -1..<groups, using: &g) }
        p.groupCapacities = (0..<groups).map { _ in Int.random(in: 1...3, using: &g) }
        p.locked = p.locked.filter { p.columnGroups![$0.column] < 0 || p.groupCapacities[p.columnGroups![$0.column]] > 0 }
    }
    return p
}

/// The same problem as per-row candidate lists: every allowed cell, or the `k` best.
func sparse(_ p: AssignmentProblem<Double>, keep k: Int? = nil, minimums: [Int]? = nil) -> SparseAssignmentProblem {
    let locked = Set(p.locked)
    let threshold = p.threshold!, m = p.columns
    var arcs: [[SparseAssignmentProblem.Arc]] = []
    for i in 0..<p.rows {
        var all: [SparseAssignmentProblem.Arc] = []
        for j in 0..<m where p.values[i * m + j] >= threshold && !locked.contains(Pair(i, j)) {
            all.append(SparseAssignmentProblem.Arc(column: j, value: p.values[i * m + j]))
        }
        all.sort { (a: SparseAssignmentProblem.Arc, b: SparseAssignmentProblem.Arc) -> Bool in
            a.value > b.value || (a.value == b.value && a.column < b.column)
        }
        arcs.append(Array(all.prefix(k ?? all.count)))
    }
    var q = SparseAssignmentProblem(rows: p.rows, columns: p.columns, arcs: arcs, objective: .maximize,
                                    rowDemands: p.rowDemands, columnCapacities: p.columnCapacities,
                                    locked: p.locked.map { ($0, p.values[$0.row * p.columns + $0.column]) },
                                    unmatchedValue: p.threshold!, columnGroups: p.columnGroups,
                                    groupCapacities: p.groupCapacities, groupMinimums: minimums)
    q.checksInvariants = true
    return q
}

/// Price-out: adds every allowed pair the lists left out whose reduced cost is negative,
/// re-solving warm, until none is left. Returns the rounds it took.
func priceOut(_ s: inout SparseAssignment, _ p: AssignmentProblem<Double>, listed: inout Set<Pair>) throws -> Int {
    var rounds = 0
    while true {
        var violators: [(row: Int, arc: SparseAssignmentProblem.Arc)] = []
        for i in 0..<p.rows {
            for j in 0..<p.columns where !listed.contains(Pair(i, j)) && !p.locked.contains(Pair(i, j)) {
                let x = p.values[i * p.columns + j]
                guard x.isFinite, x >= p.threshold! else { continue }
                if s.reducedCost(row: i, column: j, value: x) < -1e-12 {
                    violators.append((i, .init(column: j, value: x)))
                    listed.insert(Pair(i, j))
                }
            }
        }
        if violators.isEmpty { return rounds }
        rounds += 1
        try s.add(violators)
    }
}

/// The row bounds price-out reads (``SparseAssignment/reducedCostLowerBounds(valueBounds:)``),
/// given each row's best value left out: no pair left out of a row's list prices below it.
func expectBoundsHold(_ s: SparseAssignment, _ p: AssignmentProblem<Double>, listed: Set<Pair>, seed: Int,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    func leftOut(_ i: Int) -> [(column: Int, value: Double)] {
        (0..<p.columns).compactMap { j in
            let x = p.values[i * p.columns + j]
            guard !listed.contains(Pair(i, j)), !p.locked.contains(Pair(i, j)), x.isFinite, x >= p.threshold! else { return nil }
            return (j, x)
        }
    }
    let bounds = s.reducedCostLowerBounds(valueBounds: (0..<p.rows).map { leftOut($0).map(\.value).max() ?? -.infinity })
    for i in 0..<p.rows {
        for (j, x) in leftOut(i) {
            #expect(s.reducedCost(row: i, column: j, value: x) >= bounds[i] - 1e-12, "seed \(seed) pair (\(i), \(j))",
                    sourceLocation: sourceLocation)
        }
    }
}

@Suite struct SparseTests {
    @Test("all allowed pairs listed: the sparse solver reaches the dense optimum, pairs equal when scores have no ties",
          arguments: 0..<300)
    func equalsDense(seed: Int) throws {
        var g = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 1...8, using: &g), m = Int.random(in: 1...9, using: &g)
        let ties = seed % 3 == 0
        var p = randomPartialProblem(rows: n, columns: m, seed: UInt64(seed) &* 31, integerTies: ties, groups: seed % 4 == 1 ? 2 : 0)
        if seed % 5 == 4 {
            // Single slots everywhere.
            p.rowDemands = Array(repeating: 1, count: n)
            p.columnCapacities = Array(repeating: 1, count: m)
            p.locked = []
        }
        let dense = try p.solve()
        let s = try sparse(p).solve().solution
        // What both optimise: Σ (value − threshold) over the pairs (a pair at exactly the
        // threshold changes nothing, so with ties the pair counts may differ).
        func gain(_ x: AssignmentSolution) -> Double { x.total - p.threshold! * Double(x.pairs.count) }
        #expect(abs(gain(s) - gain(dense)) <= 1e-9, "seed \(seed): sparse \(gain(s)), dense \(gain(dense))")
        if !ties {
            #expect(s.pairs == dense.pairs, "seed \(seed)")
            #expect(s.unmatchedDemand == dense.unmatchedDemand)
        }
    }

    @Test("short lists: price-out adds the pairs they missed and reaches the dense optimum; no pair left out prices below 0",
          arguments: 0..<200)
    func priceOutReachesOptimum(seed: Int) throws {
        var g = SplitMix64(seed: UInt64(seed) &+ 1000)
        let n = Int.random(in: 2...12, using: &g), m = Int.random(in: 2...14, using: &g)
        let p = randomPartialProblem(rows: n, columns: m, seed: UInt64(seed) &* 97, integerTies: false, groups: seed % 3 == 2 ? 3 : 0)
        let dense = try p.solve()
        // Re-solved warm after each round, and cold.
        for resolution in [SparseAssignment.Resolution.warm, .cold] {
            let q = sparse(p, keep: 1)
            var listed = Set(q.arcs.enumerated().flatMap { i, arcs in arcs.map { Pair(i, $0.column) } })
            var s = try q.solve()
            s.resolution = resolution
            expectBoundsHold(s, p, listed: listed, seed: seed)
            _ = try priceOut(&s, p, listed: &listed)
            let solution = s.solution
            #expect(abs(solution.total - dense.total) <= 1e-9, "seed \(seed), \(resolution): \(solution.total) vs \(dense.total)")
            #expect(solution.pairs == dense.pairs, "seed \(seed), \(resolution)")
            // The certificate: every allowed pair not chosen, listed or not, has a non-negative
            // reduced cost (chosen pairs have a non-positive one).
            let chosen = Set(solution.pairs)
            for i in 0..<n {
                for j in 0..<m where !chosen.contains(Pair(i, j)) {
                    let x = p.values[i * m + j]
                    guard x.isFinite, x >= p.threshold! else { continue }
                    #expect(s.reducedCost(row: i, column: j, value: x) >= -1e-9, "seed \(seed), \(resolution), pair (\(i), \(j))")
                }
            }
        }
    }

    @Test("a case where the first lists are too short: price-out must add pairs")
    func priceOutNeeded() throws {
        // Both rows' best is column 0; column 1 is row 1's second choice and not listed.
        let p = AssignmentProblem(rows: 2, columns: 2, values: [0.9, 0.1, 0.8, 0.7], objective: .maximize, threshold: 0)
        let q = sparse(p, keep: 1)
        var listed: Set<Pair> = [Pair(0, 0), Pair(1, 0)]
        var s = try q.solve()
        #expect(abs(s.solution.total - 0.9) < 1e-12)
        #expect(s.reducedCost(row: 1, column: 1, value: 0.7) < 0)
        let rounds = try priceOut(&s, p, listed: &listed)
        #expect(rounds >= 1)
        #expect(s.solution.pairs == [Pair(0, 0), Pair(1, 1)])
        #expect(abs(s.solution.total - 1.6) < 1e-12)
    }

    @Test("group minimums: reached whenever possible, then the best total; against brute force", arguments: 0..<250)
    func minimums(seed: Int) throws {
        var g = SplitMix64(seed: UInt64(seed) &+ 7)
        let n = Int.random(in: 1...5, using: &g), m = Int.random(in: 1...6, using: &g)
        var p = randomPartialProblem(rows: n, columns: m, seed: UInt64(seed) &* 13, integerTies: seed % 2 == 0, groups: 2)
        p.locked = []
        let minimums = (0..<2).map { _ in Int.random(in: 0...2, using: &g) }
        let s = try sparse(p, minimums: minimums).solve()
        let oracle = bruteForceWithMinimums(p, minimums: minimums)
        let solution = s.solution
        let covered = (0..<2).map { h in solution.pairs.filter { p.columnGroups![$0.column] == h }.count }
        let reached = (0..<2).reduce(0) { $0 + min(covered[$1], minimums[$1]) }
        #expect(reached == oracle.reached, "seed \(seed): minimum coverage \(reached) vs \(oracle.reached)")
        // Equal optima may differ in how many pairs they use; what is optimised is the
        // total over the unmatched value, Σ (value − threshold).
        let gain = solution.total - p.threshold! * Double(solution.pairs.count)
        #expect(abs(gain - oracle.gain) <= 1e-9, "seed \(seed): \(gain) vs \(oracle.gain)")
        #expect(s.minimumShortfall == (0..<2).map { max(0, min(minimums[$0], p.groupCapacities[$0]) - covered[$0]) })
    }

    /// Every row wants the same few columns (a shared attractiveness plus a little of its
    /// own), columns have 1–3 slots and rows want 1–2 partners: the contested shape of the
    /// shipped data, where cost scaling does most of the work.
    static func contested(rows n: Int, columns m: Int, seed: UInt64) -> AssignmentProblem<Double> {
        var g = SplitMix64(seed: seed)
        let appeal = (0..<m).map { _ in g.nextUnit() }
        let values = (0..<(n * m)).map { 0.3 + 0.15 * appeal[$0 % m] + 0.02 * g.nextUnit() }
        return AssignmentProblem(rows: n, columns: m, values: values, objective: .maximize,
                                 rowDemands: (0..<n).map { _ in g.nextUnit() < 0.9 ? 1 : 2 },
                                 columnCapacities: (0..<m).map { _ in g.nextUnit() < 0.9 ? 1 : Int.random(in: 2...3, using: &g) },
                                 threshold: 0)
    }

    @Test("contested: the same optimum and pairs as the dense solver, from full lists and from short lists with price-out",
          arguments: 0..<6)
    func contested(seed: Int) throws {
        let p = Self.contested(rows: 60 + 20 * seed, columns: 150, seed: UInt64(seed) &+ 500)
        let dense = try p.solve()
        var full = sparse(p)
        full.checksInvariants = false
        let s = try full.solve().solution
        #expect(abs(s.total - dense.total) <= 1e-9, "seed \(seed): \(s.total) vs \(dense.total)")
        #expect(s.pairs == dense.pairs, "seed \(seed)")
        for resolution in [SparseAssignment.Resolution.chosen, .warm, .cold] {
            var short = sparse(p, keep: 8)
            short.checksInvariants = false
            var listed = Set(short.arcs.enumerated().flatMap { i, arcs in arcs.map { Pair(i, $0.column) } })
            var solved = try short.solve()
            solved.resolution = resolution
            expectBoundsHold(solved, p, listed: listed, seed: seed)
            let rounds = try priceOut(&solved, p, listed: &listed)
            #expect(rounds >= 1)
            // Every row wants the same columns, so the first round's warm start would free
            // nearly every unit with duals far off: the rule re-solves it cold. Seed 1's
            // second round adds a few arcs near the optimum, and stays warm.
            switch resolution {
            case .chosen:
                #expect(solved.resolvedCold >= 1, "seed \(seed): the first round is re-solved cold")
                if seed == 1 { #expect(rounds == 2 && solved.resolvedCold == 1, "seed 1: the second round stays warm") }
            case .warm: #expect(solved.resolvedCold == 0)
            case .cold: #expect(solved.resolvedCold == rounds)
            }
            #expect(abs(solved.solution.total - dense.total) <= 1e-9, "seed \(seed), \(resolution)")
            #expect(solved.solution.pairs == dense.pairs, "seed \(seed), \(resolution)")
        }
    }

    @Test("the exact finish does not depend on how far cost scaling went: none, coarse, no exact potentials, from the largest cost, default",
          arguments: 0..<40)
    func scheduleIndependent(seed: Int) throws {
        var g = SplitMix64(seed: UInt64(seed) &+ 77)
        let n = Int.random(in: 2...30, using: &g), m = Int.random(in: 2...40, using: &g)
        let p = seed % 2 == 0 ? Self.contested(rows: n, columns: m, seed: UInt64(seed))
            : randomPartialProblem(rows: n, columns: m, seed: UInt64(seed) &* 7, integerTies: false, groups: seed % 4 == 1 ? 3 : 0)
        let schedules = [CostScaling.Schedule(lastEpsilon: 1e12), CostScaling.Schedule(lastEpsilon: 100),
                         CostScaling.Schedule(lastEpsilon: 1e-4, tightens: false), CostScaling.Schedule(start: 1),
                         CostScaling.Schedule()]
        let dense = try p.solve()
        for schedule in schedules {
            var q = sparse(p)
            q.schedule = schedule
            let s = try q.solve().solution
            #expect(abs(s.total - dense.total) <= 1e-9, "seed \(seed), \(schedule)")
            #expect(s.pairs == dense.pairs, "seed \(seed), \(schedule)")
        }
    }

    @Test("the duals are canonical: the same whatever path the solver took (shortest paths only, coarse or full scaling, short lists and price-out re-solved warm or cold)",
          arguments: 0..<400)
    func canonicalDuals(seed: Int) throws {
        var g = SplitMix64(seed: UInt64(seed) &+ 9_001)
        let n = Int.random(in: 2...30, using: &g), m = Int.random(in: 2...40, using: &g)
        let p = seed % 2 == 0 ? Self.contested(rows: n, columns: m, seed: UInt64(seed) &+ 31)
            : randomPartialProblem(rows: n, columns: m, seed: UInt64(seed) &* 13, integerTies: seed % 3 == 0, groups: seed % 4 == 1 ? 3 : 0)
        var solutions: [(String, AssignmentSolution)] = []
        for schedule in [CostScaling.Schedule(lastEpsilon: 1e12), CostScaling.Schedule(lastEpsilon: 100), CostScaling.Schedule()] {
            var q = sparse(p)
            q.schedule = schedule
            solutions.append(("full lists, \(schedule)", try q.solve().solution))
        }
        for resolution in [SparseAssignment.Resolution.warm, .cold] {
            var short = sparse(p, keep: 2)
            var listed = Set(short.arcs.enumerated().flatMap { i, arcs in arcs.map { Pair(i, $0.column) } })
            short.checksInvariants = false
            var solved = try short.solve()
            solved.resolution = resolution
            _ = try priceOut(&solved, p, listed: &listed)
            solutions.append(("two per row, then price-out, re-solved \(resolution)", solved.solution))
        }
        func same(_ a: Double, _ b: Double) -> Bool { a == b || abs(a - b) <= 1e-9 }
        // The optimum is the best Σ (value − threshold): a pair worth the threshold
        // exactly is a tie, which different paths may break differently.
        func gain(_ x: AssignmentSolution) -> Double { x.total - p.threshold! * Double(x.pairs.count) }
        let (_, first) = solutions[0]
        for (path, s) in solutions.dropFirst() {
            #expect(abs(gain(s) - gain(first)) <= 1e-9, "seed \(seed), \(path)")
            #expect(zip(s.rowPotentials, first.rowPotentials).allSatisfy(same), "seed \(seed), \(path): \(s.rowPotentials) vs \(first.rowPotentials)")
            #expect(zip(s.columnPotentials, first.columnPotentials).allSatisfy(same),
                    "seed \(seed), \(path): \(s.columnPotentials) vs \(first.columnPotentials)")
        }
    }

    @Test("slots far beyond what can be used cost nothing extra and never overflow")
    func hugeSlots() throws {
        let arcs: [[SparseAssignmentProblem.Arc]] = [[.init(column: 0, value: 0.5), .init(column: 1, value: 0.4)], [.init(column: 1, value: 0.9)]]
        let q = SparseAssignmentProblem(rows: 2, columns: 2, arcs: arcs, objective: .maximize, rowDemands: [Int.max, 1_000_000_000],
                                        columnCapacities: [Int.max, Int.max], unmatchedValue: 0)
        let s = try q.solve().solution
        #expect(s.pairs == [Pair(0, 0), Pair(0, 1), Pair(1, 1)])
        #expect(s.unmatchedDemand == [Int.max - 2, 999_999_999])
    }
}

/// Exhaustive search: the most pairs in groups below their minimums first (each group
/// counts up to its minimum), then the best value `Σ (value − threshold)`.
func bruteForceWithMinimums(_ p: AssignmentProblem<Double>, minimums: [Int]) -> (reached: Int, gain: Double) {
    let n = p.rows, m = p.columns, t = p.threshold!
    var capacity = p.columnCapacities!
    var groupLeft = p.groupCapacities
    var perGroup = [Int](repeating: 0, count: groupLeft.count)
    var best: (reached: Int, gain: Double, total: Double) = (-1, -.infinity, 0)
    func visit(_ i: Int, _ gain: Double, _ total: Double) {
        if i == n {
            let reached = perGroup.indices.reduce(0) { $0 + min(perGroup[$1], minimums[$1]) }
            if reached > best.reached || (reached == best.reached && gain > best.gain + 1e-12) { best = (reached, gain, total) }
            return
        }
        let columns = (0..<m).filter { p.values[i * m + $0] >= t }
        func choose(_ k: Int, _ picked: Int, _ gain: Double, _ total: Double) {
            if k == columns.count { visit(i + 1, gain, total); return }
            let j = columns[k], h = p.columnGroups![j]
            if picked < p.rowDemands![i] && capacity[j] > 0 && (h < 0 || groupLeft[h] > 0) {
                capacity[j] -= 1
                if h >= 0 { groupLeft[h] -= 1; perGroup[h] += 1 }
                let x = p.values[i * m + j]
                choose(k + 1, picked + 1, gain + x - t, total + x)
                capacity[j] += 1
                if h >= 0 { groupLeft[h] += 1; perGroup[h] -= 1 }
            }
            choose(k + 1, picked, gain, total)
        }
        choose(0, 0, gain, total)
    }
    visit(0, 0, 0)
    return (best.reached, best.gain)
}

