import Assignment
import Foundation

/// Proposes the partnerships that maximise the total score under the restrictions,
/// exactly. See <doc:Matching>.
public enum Matcher {
    /// Hromadas with an existing partner take part only for their locked pairs; every
    /// other hromada wants its `slots`. Existing and rejected pairs are never proposed,
    /// accepted and locked pairs always are, pairs below the minimum score never; a
    /// hromada may stay unmatched rather than get a worse pair.
    public static func match(_ instance: MatchInstance, alternatives: Int = 3) throws(MatchError) -> MatchResult {
        var timings = MatchResult.Timings()
        let started = DispatchTime.now().uptimeNanoseconds
        let candidates = CandidateMatrix(instance)
        let scored = DispatchTime.now().uptimeNanoseconds
        let solution = try candidates.solve()
        let solved = DispatchTime.now().uptimeNanoseconds
        timings.scoring = Double(scored - started) / 1e9
        timings.solving = Double(solved - scored) / 1e9
        return candidates.result(solution, alternatives: alternatives, timings: timings)
    }
}

/// Every pair of the hromadas and partners taking part, scored, with the mask of pairs
/// the restrictions allow.
struct CandidateMatrix {
    let instance: MatchInstance
    /// Hromadas (rows) and partners (columns) taking part, by registry index.
    let rows: [Int], columns: [Int]
    let model: ScoreModel
    let scores: [Float]
    let allowed: [Bool]
    /// The scores plus the incumbency bonus: what the solver maximises.
    let objective: [Float]
    /// Locked pairs as (row, column) cells.
    let locked: [Pair]

    init(_ instance: MatchInstance) {
        self.instance = instance
        rows = instance.seeking
        columns = (0..<instance.partners.count).filter { instance.isCandidate[$0] }
        model = instance.scoreModel(rows: rows, columns: columns)
        let n = rows.count, m = columns.count
        scores = m > 0 ? model.scores(columns: 0..<m) : []
        let r = instance.restrictions, h = instance.hromadas, p = instance.partners
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        locked = r.locked.map { Pair(rowOf[$0.pair.hromada]!, columnOf[$0.pair.partner]!) }
        let lockedCells = Set(locked.map { $0.row * m + $0.column })
        var allowed = [Bool](repeating: true, count: n * m)
        for (row, i) in rows.enumerated() {
            for (c, j) in columns.enumerated() where !r.levelsAllow(h.levels[i], p.levels[j]) { allowed[row * m + c] = false }
        }
        for pair in r.forbidden.keys {
            if let row = rowOf[pair.hromada], let c = columnOf[pair.partner] { allowed[row * m + c] = false }
        }
        // Below the minimum score: never proposed (locked pairs excepted, by the solver).
        for k in 0..<(n * m) where Double(scores[k]) < r.minScore && !lockedCells.contains(k) { allowed[k] = false }
        self.allowed = allowed
        var objective = scores
        if instance.incumbencyBonus != 0 {
            for pair in instance.incumbents {
                guard let row = rowOf[pair.hromada], let c = columnOf[pair.partner] else { continue }
                objective[row * m + c] += Float(instance.incumbencyBonus)
            }
        }
        self.objective = objective
    }

    /// The assignment problem: partial matching that maximises the plain total (an
    /// unmatched slot is worth 0), slots on both sides, caps as column groups.
    func solve() throws(MatchError) -> AssignmentSolution {
        let groups = instance.restrictions.groups, codes = groups?.codes ?? []
        let groupIndex = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let problem = AssignmentProblem<Float>(
            rows: rows.count, columns: columns.count, values: objective, objective: .maximize, allowed: allowed,
            rowDemands: rows.map { instance.demand[$0] }, columnCapacities: columns.map { instance.partners.slots[$0] },
            locked: locked, threshold: 0,
            columnGroups: groups.map { g in columns.map { groupIndex[g.code(of: $0, in: instance.partners)] ?? -1 } },
            groupCapacities: codes.map { groups!.caps[$0]! })
        do {
            return try problem.solve()
        } catch {
            throw explain(error)
        }
    }

    /// The solver's error in terms of the inputs: ids, names and where pairs were locked.
    func explain(_ error: AssignmentError) -> MatchError {
        let h = instance.hromadas, p = instance.partners, r = instance.restrictions
        switch error.code {
        case let .lockedExceedsGroupSlots(group, count, slots):
            let g = r.groups!, code = g.codes[group]
            return MatchError(.lockedExceedsCap, "\(count) locked pairs have partners in \(code) but \(instance.rules.file ?? "the rules") "
                + "caps \(code) at \(slots): raise the cap in \(g.ruleKey) or unlock pairs")
        case let .lockedExceedsRowSlots(row, count, slots):
            let i = rows[row]
            let sources = r.locked.filter { $0.pair.hromada == i }.map { "\(p.ids[$0.pair.partner]) (\($0.source))" }
            return MatchError(.lockedExceedsSlots, "hromada \(h.label(i)) has \(count) locked pairs but wants \(slots) "
                + "partner(s): \(sources.joined(separator: "; ")); raise its slots or unlock one")
        case let .lockedExceedsColumnSlots(column, count, slots):
            let j = columns[column]
            let sources = r.locked.filter { $0.pair.partner == j }.map { "\(h.ids[$0.pair.hromada]) (\($0.source))" }
            return MatchError(.lockedExceedsSlots, "partner \(p.label(j)) has \(count) locked pairs but only \(slots) "
                + "slot(s): \(sources.joined(separator: "; ")); raise its slots or unlock one")
        case let .lockedForbidden(pair):
            let i = rows[pair.row], j = columns[pair.column]
            return MatchError(.lockedNotAllowed, "pair \(h.ids[i]), \(p.ids[j]) is \(r.lockSource(IndexPair(i, j)).map { "\($0)" } ?? "locked") "
                + "but the rules' levels do not allow a \(h.levels[i].rawValue)–\(p.levels[j].rawValue) pair: allow it or unlock the pair")
        default:
            return MatchError(.unsolvable, error.description)
        }
    }

    /// Proposals with their explanations and alternatives, and the hromadas left short.
    func result(_ solution: AssignmentSolution, alternatives k: Int, timings: MatchResult.Timings) -> MatchResult {
        let m = columns.count, minScore = instance.restrictions.minScore
        var chosenBy = [Set<Int>](repeating: [], count: rows.count)
        for pair in solution.pairs { chosenBy[pair.row].insert(pair.column) }
        let proposals = solution.pairs.map { cell -> MatchResult.Proposal in
            let pair = IndexPair(rows[cell.row], columns[cell.column])
            var ranked: [(Int, Float)] = []
            if k > 0 {
                for c in 0..<m where allowed[cell.row * m + c] && !chosenBy[cell.row].contains(c)
                    && Double(scores[cell.row * m + c]) >= minScore {
                    ranked.append((c, scores[cell.row * m + c]))
                }
                ranked.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
            }
            let options = ranked.prefix(k).map { c, s in
                MatchResult.Alternative(partner: columns[c], score: Double(s), lossAtLeast: max(0, solution.reducedCost(
                    row: cell.row, column: c, value: Double(objective[cell.row * m + c]), maximize: true)))
            }
            return MatchResult.Proposal(pair: pair, breakdown: model.breakdown(hromada: cell.row, partner: cell.column),
                                        lockedBy: instance.restrictions.lockSource(pair), alternatives: options)
        }
        var unmatched: [MatchResult.Unmatched] = []
        for (row, i) in rows.enumerated() where solution.unmatchedDemand[row] > 0 {
            let wanted = instance.demand[i]
            unmatched.append(.init(hromada: i, wanted: wanted, got: wanted - solution.unmatchedDemand[row],
                                   reason: unmatchedReason(row)))
        }
        return MatchResult(proposals: proposals, unmatched: unmatched, seeking: rows.count,
                           alreadyPartnered: instance.alreadyPartnered.count, candidatePartners: columns.count, timings: timings)
    }

    func unmatchedReason(_ row: Int) -> String {
        let m = columns.count, r = instance.restrictions
        let allowedCount = (0..<m).filter { allowed[row * m + $0] }.count
        let goodCount = (0..<m).filter { allowed[row * m + $0] && Double(scores[row * m + $0]) >= r.minScore }.count
        return allowedCount == 0 ? "the rules allow no partner for it"
            : goodCount == 0 ? "no allowed partner scores at least min_score \(r.minScore)"
            : r.groups == nil ? "its acceptable partners are all taken by better-scoring pairs"
            : "its acceptable partners are all taken by better-scoring pairs or capped"
    }
}
