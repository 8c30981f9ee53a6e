import Foundation
import Testing
import TwinningTestSupport
@testable import Assignment
import SeededRandom

/// A random problem of the given shape; `seed` replays it.
func randomProblem(rows n: Int, columns m: Int, seed: UInt64, slots: Bool, partial: Bool,
                   integerTies: Bool, maxDemand: Int = 2) -> AssignmentProblem<Double> {
    var g = SplitMix64(seed: seed)
    var values = (0..<(n * m)).map { _ in
        integerTies ? Double(Int.random(in: 0..<4, using: &g)) : Double.random(in: 0..<1, using: &g)
    }
    var allowed: [Bool]? = nil
    if Bool.random(using: &g) {
        allowed = (0..<(n * m)).map { _ in Double.random(in: 0..<1, using: &g) > 0.2 }
    }
    // Some forbidden cells as infinities instead of a mask.
    for k in 0..<(n * m) where Double.random(in: 0..<1, using: &g) < 0.05 { values[k] = .infinity }
    let objective: AssignmentProblem<Double>.Objective = Bool.random(using: &g) ? .maximize : .minimize
    if objective == .maximize {
        for k in 0..<(n * m) where values[k] == .infinity { values[k] = -.infinity }
    }
    let demands = slots ? (0..<n).map { _ in Int.random(in: 1...maxDemand, using: &g) } : nil
    let capacities = slots ? (0..<m).map { _ in Int.random(in: 1...3, using: &g) } : nil
    var locked: [Pair] = []
    if Int.random(in: 0..<3, using: &g) == 0 {
        let i = Int.random(in: 0..<n, using: &g), j = Int.random(in: 0..<m, using: &g)
        if values[i * m + j].isFinite && allowed?[i * m + j] != false { locked.append(Pair(i, j)) }
    }
    var threshold: Double? = nil
    if partial {
        let t = integerTies ? Double(Int.random(in: 0..<4, using: &g)) : Double.random(in: 0..<1, using: &g)
        threshold = t
    }
    return AssignmentProblem(rows: n, columns: m, values: values, objective: objective, allowed: allowed,
                             rowDemands: demands, columnCapacities: capacities, locked: locked,
                             threshold: threshold)
}

/// Checks a solver run against the oracle: same optimum, or the same infeasibility.
func checkAgainstOracle(_ p: AssignmentProblem<Double>, context: String) {
    let expected = bruteForceOptimum(p)
    var checked = p
    checked.checksInvariants = true   // debug builds: the search state is checked after every augmentation
    do {
        let s = try checked.solve()
        guard let expected else {
            Issue.record("\(context): solver found a matching where none exists")
            return
        }
        #expect(violations(p, s).isEmpty, "\(context): \(violations(p, s))")
        let got = oracleObjective(p, s)
        #expect(abs(got - expected) <= 1e-9 * max(1, abs(expected)), "\(context): \(got) vs optimum \(expected)")
        // The certificate below has no terms for column groups; the oracle covers those.
        if p.columnGroups == nil {
            let (gap, feasible) = dualityGap(p, s)
            #expect(abs(gap) <= 1e-9 * max(1, abs(expected)) && feasible, "\(context): duality gap \(gap)")
        }
    } catch {
        if case .infeasible = error.code {
            #expect(expected == nil, "\(context): solver says infeasible, oracle found \(expected ?? .nan)")
        } else {
            Issue.record("\(context): unexpected error \(error)")
        }
    }
}

@Suite struct OracleTests {
    static let shapes = (1...7).flatMap { n in (1...7).map { m in [n, m] } }

    @Test("unit slots, every shape up to 7×7, forbidden cells, locked pairs, ties", arguments: shapes)
    func unitSlots(shape: [Int]) {
        for seed in 0..<12 as Range<UInt64> {
            let p = randomProblem(rows: shape[0], columns: shape[1], seed: seed * 7919 + UInt64(shape[0] * 10 + shape[1]),
                                  slots: false, partial: seed % 3 == 1, integerTies: seed % 2 == 0)
            checkAgainstOracle(p, context: "shape \(shape) seed \(seed)")
        }
    }

    @Test("row demands and column slots, every shape up to 5×5", arguments: shapes.filter { $0[0] <= 5 && $0[1] <= 5 })
    func withSlots(shape: [Int]) {
        for seed in 0..<8 as Range<UInt64> {
            let p = randomProblem(rows: shape[0], columns: shape[1], seed: seed * 104729 + UInt64(shape[0] * 10 + shape[1]),
                                  slots: true, partial: seed % 2 == 1, integerTies: seed % 4 < 2)
            checkAgainstOracle(p, context: "slots shape \(shape) seed \(seed)")
        }
    }

    @Test("rows wanting up to 3 partners, shapes up to 4×6 (assigned pairs need not be tight)")
    func largerDemands() {
        for seed in 0..<60 as Range<UInt64> {
            let shape = [2 + Int(seed % 3), 4 + Int(seed % 3)]
            let p = randomProblem(rows: shape[0], columns: shape[1], seed: seed &* 2654435761,
                                  slots: true, partial: seed % 4 == 3, integerTies: seed % 2 == 0, maxDemand: 3)
            checkAgainstOracle(p, context: "demand≤3 shape \(shape) seed \(seed)")
        }
    }

    @Test("column groups with shared caps (partner countries), shapes up to 5×6", arguments: 0..<400)
    func groups(seed: Int) {
        var g = SplitMix64(seed: UInt64(seed) &* 0x9E37)
        let n = Int.random(in: 1...5, using: &g), m = Int.random(in: 1...6, using: &g)
        var p = randomProblem(rows: n, columns: m, seed: UInt64(seed) &* 7 &+ 3, slots: seed % 2 == 0,
                              partial: seed % 3 != 0, integerTies: seed % 4 < 2)
        let groups = Int.random(in: 1...3, using: &g)
        p.columnGroups = (0..<m).map { _ in Int.random(in: -1..<groups, using: &g) }
        p.groupCapacities = (0..<groups).map { _ in Int.random(in: 0...3, using: &g) }
        // Locked pairs must fit their group's cap for the oracle to apply.
        p.locked = p.locked.filter { p.columnGroups![$0.column] < 0 || p.groupCapacities[p.columnGroups![$0.column]] > 0 }
        do {
            _ = try p.solve()
        } catch where error.code == .invalidGroups {
            return   // full matching asked where demand exceeds the groups' capacity: refused, by design
        } catch {}
        checkAgainstOracle(p, context: "groups seed \(seed) \(n)×\(m)")
    }

    @Test("row demands and column slots on 6×7, 7×6 and 7×7")
    func withSlotsLarger() {
        for (seed, shape) in [(1, [6, 7]), (2, [7, 6]), (3, [7, 7])] {
            let p = randomProblem(rows: shape[0], columns: shape[1], seed: UInt64(seed) * 31,
                                  slots: true, partial: seed % 2 == 0, integerTies: true)
            checkAgainstOracle(p, context: "slots shape \(shape) seed \(seed)")
        }
    }
}

@Suite struct CertificateTests {
    @Test("duality gap is zero on large random instances", arguments: [
        (200, 300, false), (300, 200, false), (250, 250, false), (150, 400, true), (300, 120, true),
    ])
    func largeInstances(rows: Int, columns: Int, slots: Bool) throws {
        var g = SplitMix64(seed: UInt64(rows * 1000 + columns))
        let values = (0..<(rows * columns)).map { _ in Double.random(in: 0..<1, using: &g) }
        let p = AssignmentProblem(rows: rows, columns: columns, values: values, objective: .maximize,
                                  rowDemands: slots ? (0..<rows).map { _ in Int.random(in: 1...3, using: &g) } : nil,
                                  columnCapacities: slots ? (0..<columns).map { _ in Int.random(in: 1...4, using: &g) } : nil)
        let s = try p.solve()
        #expect(violations(p, s).isEmpty)
        let (gap, feasible) = dualityGap(p, s)
        #expect(abs(gap) < 1e-7, "gap \(gap)")
        #expect(feasible)
        #expect(s.pairs.count == min(p.rowDemands?.reduce(0, +) ?? rows, p.columnCapacities?.reduce(0, +) ?? columns))
    }

    @Test("Float and Double matrices give the same assignment")
    func floatMatchesDouble() throws {
        var g = SplitMix64(seed: 5)
        let values = (0..<(80 * 120)).map { _ in Float(Int.random(in: 0..<1000, using: &g)) / 8 }
        let f = try AssignmentProblem(rows: 80, columns: 120, values: values).solve()
        let d = try AssignmentProblem(rows: 80, columns: 120, values: values.map(Double.init)).solve()
        #expect(f.pairs == d.pairs)
        #expect(f.total == d.total)
    }
}

@Suite struct BehaviourTests {
    @Test("deterministic: ties go to the lowest index, repeated runs agree")
    func ties() throws {
        let p = AssignmentProblem(rows: 3, columns: 4, values: [Double](repeating: 1, count: 12))
        let s = try p.solve()
        #expect(s.pairs == [Pair(0, 0), Pair(1, 1), Pair(2, 2)])
        var g = SplitMix64(seed: 9)
        let values = (0..<(60 * 90)).map { _ in Double(Int.random(in: 0..<3, using: &g)) }
        let q = AssignmentProblem(rows: 60, columns: 90, values: values, objective: .maximize)
        let first = try q.solve()
        for _ in 0..<3 { #expect(try q.solve().pairs == first.pairs) }
    }

    @Test("a large column capacity costs no more than its demand")
    func largeSlots() throws {
        let p = AssignmentProblem(rows: 500, columns: 2, values: (0..<1000).map { Double($0 % 7) },
                                  columnCapacities: [1_000_000, 1_000_000])
        let s = try p.solve()
        #expect(s.pairs.count == 500)
        var expected = 0.0
        for i in 0..<500 { expected += Double(min((i * 2) % 7, (i * 2 + 1) % 7)) }
        #expect(s.total == expected)
    }

    @Test("NaN is an error naming the cell")
    func notANumber() {
        let p = AssignmentProblem(rows: 2, columns: 2, values: [1, 2, .nan, 4])
        #expect(throws: AssignmentError.self) { try p.solve() }
        do { _ = try p.solve() } catch {
            #expect(error.code == .notANumber(row: 1, column: 0))
            #expect(error.description.contains("(1, 0)"))
        }
    }

    @Test("locked pairs: kept, and errors when forbidden or over slots")
    func locked() throws {
        let values: [Double] = [1, 9, 9, 1]
        let s = try AssignmentProblem(rows: 2, columns: 2, values: values, locked: [Pair(0, 1)]).solve()
        #expect(s.pairs == [Pair(0, 1), Pair(1, 0)])
        #expect(s.total == 18)
        let forbidden = AssignmentProblem(rows: 2, columns: 2, values: values,
                                          allowed: [true, false, true, true], locked: [Pair(0, 1)])
        #expect(throws: AssignmentError(.lockedForbidden(Pair(0, 1)), "")) { try forbidden.solve() }
        let over = AssignmentProblem(rows: 2, columns: 2, values: values, locked: [Pair(0, 1), Pair(1, 1)])
        do { _ = try over.solve(); Issue.record("expected an error") } catch {
            #expect(error.code == .lockedExceedsColumnSlots(column: 1, locked: 2, slots: 1))
        }
    }

    @Test("infeasible full matching names a Hall violator")
    func hallViolator() {
        // Rows 0 and 2 may only use column 1.
        let inf = Double.infinity
        let p = AssignmentProblem(rows: 3, columns: 3, values: [inf, 1, inf, 1, 1, 1, inf, 2, inf])
        do { _ = try p.solve(); Issue.record("expected an error") } catch {
            guard case let .infeasible(side, members, demand, supply) = error.code else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(side == .rows)
            #expect(Set(members).isSuperset(of: [0, 2]))
            #expect(demand > supply)
            #expect(error.description.contains("rows {"))
        }
        // With a threshold the same matrix is a partial matching, never an error.
        let partial = AssignmentProblem(rows: 3, columns: 3, values: p.values, threshold: 5)
        #expect((try? partial.solve())?.pairs.count == 2)
    }

    @Test("threshold leaves a row unmatched rather than give it a bad partner")
    func threshold() throws {
        let p = AssignmentProblem(rows: 2, columns: 2, values: [0.9, 0.1, 0.8, 0.2], objective: .maximize,
                                  threshold: 0.5)
        let s = try p.solve()
        #expect(s.pairs == [Pair(0, 0)])
        #expect(s.unmatchedDemand == [0, 1])
    }

    @Test("rectangular both ways agrees with the transpose")
    func transpose() throws {
        var g = SplitMix64(seed: 77)
        let n = 40, m = 70
        let values = (0..<(n * m)).map { _ in Double.random(in: 0..<1, using: &g) }
        var t = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { t[j * n + i] = values[i * m + j] } }
        let a = try AssignmentProblem(rows: n, columns: m, values: values).solve()
        let b = try AssignmentProblem(rows: m, columns: n, values: t).solve()
        #expect(abs(a.total - b.total) < 1e-12)
        #expect(a.pairs == b.pairs.map { Pair($0.column, $0.row) }.sorted())
    }
}
