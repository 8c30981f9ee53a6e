import Assignment
import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// Proposes the partnerships that maximise the total score under the restrictions,
/// exactly, without ever holding every pair's score. See “How the matching works” in the Twinning documentation.
///
/// 1. **Candidates**: one streaming pass scores every pair block by block (BLAS) and
///    keeps, per hromada, its best allowed partners by rank (score plus incumbency bonus).
/// 2. **Solve**: the sparse problem on those lists is solved exactly (a min-cost flow).
/// 3. **Price out**: under the optimal duals, a pair left out of the lists would improve
///    the solution only if its reduced cost were negative. Every pair left out ranks at
///    most its row's bar, so a row whose bar cannot beat its dual price is settled by a
///    bound, or by a bound on what lies beyond its reserve once the reserve (the candidates
///    ranked next, kept by the first pass) is checked; the rows left are checked pair by
///    pair in one more streaming pass over them
///    (the same blocks, so the same scores to the last bit), violators are added (with the pairs
///    just short of violating, which the next duals would likely flag), and the problem
///    is re-solved warm. When no pair is left with a negative reduced cost, the duals
///    certify the solution optimal for the whole problem, listed or not.
public enum Matcher {
    /// How a matching is run.
    public struct Options: Sendable {
        /// Alternatives to list for each proposal.
        public var alternatives = 3
        /// Candidates kept per hromada before price-out (beyond its demand). On the shipped
        /// data 384 leaves one round of price-out (`Benchmarks/README.md`).
        public var candidatesPerHromada = 384
        /// Candidates kept after those, per hromada, for price-out to read before it scores
        /// the hromada's pairs again.
        public var candidatesInReserve = 384

        public init(alternatives: Int = 3, candidatesPerHromada: Int = 384, candidatesInReserve: Int = 384) {
            self.alternatives = alternatives
            self.candidatesPerHromada = candidatesPerHromada
            self.candidatesInReserve = candidatesInReserve
        }
    }

    /// Hromadas with an existing partner take part only for their locked pairs; every
    /// other hromada wants its `slots`. Existing and rejected pairs are never proposed,
    /// accepted and locked pairs always are, pairs below the minimum score never; a
    /// hromada may stay unmatched rather than get a worse pair.
    public static func match(_ instance: MatchInstance, options: Options = Options()) throws(MatchError) -> MatchResult {
        var run = MatchRun(instance, options: options)
        try run.solve()
        return run.result()
    }

    public static func match(_ instance: MatchInstance, alternatives: Int) throws(MatchError) -> MatchResult {
        try match(instance, options: Options(alternatives: alternatives))
    }
}

/// One matching in progress: the stages of ``Matcher``, each a method.
struct MatchRun {
    let instance: MatchInstance
    let options: Matcher.Options
    /// Hromadas (rows) and partners (columns) taking part, by registry index.
    let rows: [Int], columns: [Int]
    let model: ScoreModel
    let filter: PairFilter
    var candidates: CandidateLists
    var assignment: SparseAssignment?
    var timings = MatchResult.Timings()

    init(_ instance: MatchInstance, options: Matcher.Options) {
        self.instance = instance
        self.options = options
        let start = DispatchTime.now().uptimeNanoseconds
        rows = instance.seeking
        columns = (0..<instance.partners.count).filter { instance.isCandidate[$0] }
        model = instance.scoreModel(rows: rows, columns: columns)
        filter = PairFilter(instance, rows: rows, columns: columns)
        // Bounded by the columns there are, whatever K and the alternatives asked for.
        let n = columns.count, k = min(options.candidatesPerHromada, n), a = min(options.alternatives, n)
        let keep = rows.map { min(k + instance.demand[$0] + a, n) }
        candidates = CandidateLists(model: model, filter: filter, keep: keep,
                                    reserve: keep.map { min(options.candidatesInReserve, n - $0) })
        timings.scoring = Self.seconds(since: start)
    }

    /// Price-out adds, besides the pairs that would improve the solution, those within
    /// this margin of it (a hundredth of the best rank listed): the duals move when the
    /// problem is re-solved, and pairs that close would otherwise be found one round later,
    /// each round a streaming pass over the rows in question. At most ``pricingLimit``
    /// times its demand per hromada and round, the lowest reduced costs first: a hromada
    /// wanting ten partners among contested ones needs ten times the pairs from outside
    /// its list, and would otherwise take ten rounds to get them.
    var pricingMargin: Double {
        // Lists come best first, so a list's largest |rank| is at one of its ends.
        0.01 * candidates.lists.reduce(0) { max($0, abs(Double($1.first?.rank ?? 0)), abs(Double($1.last?.rank ?? 0))) }
    }
    static let pricingLimit = 64

    /// What price-out may add to each row in one round (see ``pricingMargin``).
    var pricingLimits: [Int] { rows.map { Self.pricingLimit * max(1, instance.demand[$0]) } }

    /// A partner's slots, bounded by the hromadas taking part (it pairs with each once):
    /// slots up to Int.max neither overflow a sum nor mean anything more.
    func capacity(_ j: Int) -> Int { min(instance.partners.slots[j], rows.count) }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Solves the lists, then prices out until no pair left out can improve the solution.
    mutating func solve() throws(MatchError) {
        var start = DispatchTime.now().uptimeNanoseconds
        var solved: SparseAssignment
        do { solved = try problem().solve() } catch { throw explain(error) }
        timings.solving += Self.seconds(since: start)
        let margin = pricingMargin, limits = pricingLimits
        while true {
            start = DispatchTime.now().uptimeNanoseconds
            let bounds = solved.reducedCostLowerBounds(valueBounds: candidates.bars.map(Double.init))
            let flagged = rows.indices.filter { candidates.bars[$0] > -.infinity && bounds[$0] < -1e-9 }
            if flagged.isEmpty { break }
            let current = solved
            let found = candidates.priceOut(
                model: model, filter: filter, rows: flagged,
                outerBounds: solved.reducedCostLowerBounds(valueBounds: candidates.outerBars.map(Double.init)),
                margin: margin, limits: limits) { i, j, rank in
                current.reducedCost(row: i, column: j, value: Double(rank))
            }
            timings.pricing += Self.seconds(since: start)
            timings.pricingRounds += 1
            timings.pricingRowsScored += found.scored
            if !found.improving { break }
            start = DispatchTime.now().uptimeNanoseconds
            var arcs: [(row: Int, arc: SparseAssignmentProblem.Arc)] = []
            for (i, list) in found.pairs.sorted(by: { $0.key < $1.key }) {
                candidates.list(list, row: i)
                arcs += list.map { (i, SparseAssignmentProblem.Arc(column: $0.partner, value: Double($0.rank))) }
            }
            timings.pairsAdded += arcs.count
            do { try solved.add(arcs) } catch { throw explain(error) }
            timings.solving += Self.seconds(since: start)
        }
        timings.coldResolves = solved.resolvedCold
        assignment = solved
        try checkMinimums(solved)
    }

    /// Minimums come first in the solver: whatever it leaves short cannot be met together
    /// with the other rules and slots (counted from the pairs, since a minimum beyond what
    /// a group's partners can take at all is cut to that in the solver).
    func checkMinimums(_ solved: SparseAssignment) throws(MatchError) {
        guard let groups = instance.restrictions.groups, !groups.minimums.isEmpty else { return }
        var reached: [String: Int] = [:]
        for pair in solved.solution.pairs { reached[groups.code(of: columns[pair.column], in: instance.partners), default: 0] += 1 }
        let short = groups.minimums.filter { (reached[$0.key] ?? 0) < $0.value }.sorted { $0.key < $1.key }
        guard !short.isEmpty else { return }
        let detail = short.map { code, wanted in "\(code) \(reached[code] ?? 0) of \(wanted)" }
        throw MatchError(.minimumsUnmet, "\(groups.minimumKey) in \(instance.rules.file ?? "the rules") cannot all be met: at most "
            + detail.joined(separator: ", ") + " can be reached together with the other rules and the partners' slots; "
            + "lower the minimums, or loosen the rules that leave those partners out")
    }

    /// The sparse problem: partial matching maximising the total rank (an unmatched slot
    /// is worth 0), slots on both sides, caps as column groups, locked pairs fixed.
    func problem() -> SparseAssignmentProblem {
        let r = instance.restrictions, p = instance.partners
        let groups = r.groups, codes = groups?.codes ?? []
        let groupIndex = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let columnGroups = groups.map { g in columns.map { groupIndex[g.code(of: $0, in: p)] ?? -1 } }
        // A group with a minimum and no cap can take what its partners' slots can, and
        // never more than the hromadas want (so the sums cannot overflow).
        let wanted = rows.reduce(0) { min($0 + instance.demand[$1], Int.max / 2) }
        var groupSlots = [Int](repeating: 0, count: codes.count)
        for (c, g) in (columnGroups ?? []).enumerated() where g >= 0 { groupSlots[g] = min(groupSlots[g] + capacity(columns[c]), wanted) }
        let locked = r.locked.map { lock -> (pair: Pair, value: Double) in
            let cell = Pair(rowOf[lock.pair.hromada]!, columnOf[lock.pair.partner]!)
            return (cell, model.breakdown(hromada: cell.row, partner: cell.column).score)
        }
        return SparseAssignmentProblem(
            rows: rows.count, columns: columns.count,
            arcs: candidates.lists.map { $0.map { .init(column: $0.partner, value: Double($0.rank)) } },
            objective: .maximize, rowDemands: rows.map { instance.demand[$0] },
            columnCapacities: columns.map(capacity), locked: locked, unmatchedValue: 0,
            columnGroups: columnGroups,
            groupCapacities: codes.enumerated().map { g, code in groups!.caps[code] ?? groupSlots[g] },
            groupMinimums: codes.map { groups!.minimums[$0] ?? 0 })
    }

    /// The solver's error in terms of the inputs: ids, names and where pairs were locked.
    func explain(_ error: AssignmentError) -> MatchError {
        let h = instance.hromadas, p = instance.partners, r = instance.restrictions
        switch error.code {
        case let .lockedExceedsGroupSlots(group, count, slots):
            let g = r.groups!, code = g.codes[group]
            return MatchError(.lockedExceedsCap, "\(count) locked pairs have partners in \(code) but \(instance.rules.file ?? "the rules") "
                + "caps \(code) at \(slots): raise the cap in \(g.capKey) or unlock pairs")
        case let .lockedExceedsRowSlots(row, count, slots):
            let i = rows[row]
            let sources = r.locked.filter { $0.pair.hromada == i }.map { "\(p.ids[$0.pair.partner]) (\($0.source))" }
            let has = instance.existing[i] ?? 0
            return MatchError(.lockedExceedsSlots, "hromada \(h.label(i)) has \(count) locked pairs but wants \(slots) "
                + (has > 0 ? "more " : "") + "partner(s)" + (has > 0 ? " (slots \(h.slots[i]), \(has) existing)" : "")
                + ": \(sources.joined(separator: "; ")); raise its slots or unlock one")
        case let .lockedExceedsColumnSlots(column, count, slots):
            let j = columns[column]
            let sources = r.locked.filter { $0.pair.partner == j }.map { "\(h.ids[$0.pair.hromada]) (\($0.source))" }
            return MatchError(.lockedExceedsSlots, "partner \(p.label(j)) has \(count) locked pairs but only \(slots) "
                + "slot(s): \(sources.joined(separator: "; ")); raise its slots or unlock one")
        default:
            return MatchError(.unsolvable, error.description)
        }
    }

    /// Proposals with their explanations and alternatives, and the hromadas left short.
    func result() -> MatchResult {
        let solved = assignment!, solution = solved.solution
        var chosenBy = [[Int]](repeating: [], count: rows.count)   // a hromada's few partners
        for pair in solution.pairs { chosenBy[pair.row].append(pair.column) }
        var holders = [[Int]](repeating: [], count: columns.count)
        for pair in solution.pairs { holders[pair.column].append(rows[pair.row]) }
        // A hromada's alternatives are the same for each of its proposals: found once per
        // hromada (one wanting 6,000 partners would otherwise scan its list 6,000 times).
        var alternativesOf: [Int: [MatchResult.Alternative]] = [:]
        let proposals = solution.pairs.map { cell -> MatchResult.Proposal in
            let pair = IndexPair(rows[cell.row], columns[cell.column])
            let found = alternativesOf[cell.row] ?? alternatives(row: cell.row, chosen: chosenBy[cell.row], solved, holders: holders)
            alternativesOf[cell.row] = found
            return MatchResult.Proposal(pair: pair, breakdown: model.breakdown(hromada: cell.row, partner: cell.column),
                                        lockedBy: instance.restrictions.lockSource(pair), alternatives: found)
        }
        var unmatched: [MatchResult.Unmatched] = []
        for (row, i) in rows.enumerated() where solution.unmatchedDemand[row] > 0 {
            let wanted = instance.demand[i]
            unmatched.append(.init(hromada: i, wanted: wanted, got: wanted - solution.unmatchedDemand[row], reason: unmatchedReason(row)))
        }
        return MatchResult(proposals: proposals, unmatched: unmatched, seeking: rows.count,
                           alreadyPartnered: instance.alreadyPartnered.count, candidatePartners: columns.count,
                           warnings: (noPartners.map { [$0] } ?? []) + lockedWarnings(proposals), timings: timings)
    }

    /// Locked pairs a coordinator may not have meant: below min_likelihood or min_fit, or naming a
    /// hromada or partner that the rules (or its sign-up) would leave out.
    func lockedWarnings(_ proposals: [MatchResult.Proposal]) -> [String] {
        let h = instance.hromadas, p = instance.partners, r = instance.restrictions
        var warnings: [String] = []
        for proposal in proposals {
            guard let source = proposal.lockedBy else { continue }
            let pair = "\(h.label(proposal.hromada)) – \(p.label(proposal.partner)) (\(source))"
            if let why = r.belowMinimum(proposal.breakdown) {
                warnings.append("\(pair): \(why.reason)")
            }
            if let why = instance.partnerExclusion(proposal.partner) {
                warnings.append("\(pair): its partner would be left out: \(why.reason)")
            }
            if let why = r.hromadaExclusions[proposal.hromada] {
                warnings.append("\(pair): its hromada would be left out: \(why.reason)")
            }
        }
        return warnings
    }

    /// The row's best-scoring listed partners it did not get, each with how much total the
    /// programme would lose, at least, by choosing it (its reduced cost under the duals).
    func alternatives(row: Int, chosen: [Int], _ solved: SparseAssignment, holders: [[Int]]) -> [MatchResult.Alternative] {
        let wanted = options.alternatives
        guard wanted > 0 else { return [] }
        // The `wanted` best by score, lower index on a tie (the list is by rank, which the
        // bonus may reorder): one pass keeping them in order, no sort of the list.
        func better(_ a: Candidate, _ b: Candidate) -> Bool { a.score > b.score || (a.score == b.score && a.partner < b.partner) }
        let list = candidates.lists[row]
        // A hromada's few partners are checked in an array; many, in a set.
        let chosenSet = chosen.count > 16 ? Set(chosen) : nil
        var options: [(Candidate, Double)] = []
        options.reserveCapacity(min(wanted, list.count) + 1)   // `wanted` may be anything up to Int.max
        for c in list {
            if options.count == wanted, !better(c, options[wanted - 1].0) { continue }
            if chosenSet?.contains(c.partner) ?? chosen.contains(c.partner) { continue }
            let loss = solved.reducedCost(row: row, column: c.partner, value: Double(c.rank))
            guard loss.isFinite else { continue }   // a partner whose every slot is locked
            let at = options.firstIndex { better(c, $0.0) } ?? options.count
            options.insert((c, max(0, loss)), at: at)
            if options.count > wanted { options.removeLast() }
        }
        return options.map { c, loss in
            let j = columns[c.partner]
            return MatchResult.Alternative(partner: j, score: Double(c.score), lossAtLeast: loss,
                                           heldBy: holders[c.partner].count >= instance.partners.slots[j] ? holders[c.partner] : [])
        }
    }

    /// Why no partner takes part at all, when none does.
    var noPartners: String? {
        guard columns.isEmpty else { return nil }
        let file = instance.partners.file
        return instance.pool == .volunteers && !instance.partners.volunteers.contains(true)
            ? "no partner takes part: no partner in \(file) is a volunteer (its volunteer column); --candidates all considers every partner"
            : "no partner takes part: every partner in \(file) is left out (no slots"
                + (instance.rules.file.map { ", or the rules in \($0)" } ?? "") + ")"
    }

    func unmatchedReason(_ row: Int) -> String {
        let r = instance.restrictions
        if let noPartners { return noPartners }
        return candidates.allowed[row] == 0 ? noneAllowed(rows[row])
            : candidates.good[row] == 0 ? "no allowed partner meets "
                + r.minimums.map { rule, source in
                    "\(type(of: rule).key) \(YAMLReader.shown(rule.value))" + (source.location.map { " (\($0.file), line \($0.line))" } ?? "")
                }.joined(separator: " and ")
            : r.groups == nil ? "its acceptable partners are all taken by better-scoring pairs"
            : "its acceptable partners are all taken by better-scoring pairs or capped"
    }

    /// Why no partner taking part may pair with hromada `i`: each cause (a rule's key and
    /// where it was written, or ties) with the number of partners it leaves out, most
    /// first — what each rule said about each pair, read from the rules themselves.
    func noneAllowed(_ i: Int) -> String {
        var byCause: [String: (count: Int, source: Provenance.Origin?)] = [:]
        for j in columns {
            if let why = instance.exclusion(of: IndexPair(i, j)) { byCause[why.rule, default: (0, why.source)].count += 1 }
        }
        let causes = byCause.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.map { key, cause in
            let counted = "\(cause.count) partner\(cause.count == 1 ? "" : "s")"
            return "\(key == "forbidden" ? "forbidden pairs and ties" : key) ("
                + (cause.source?.location.map { "\(counted); \($0.file), line \($0.line)" } ?? counted) + ")"
        }
        return (instance.rules.file == nil ? "no partner may pair with it: " : "the rules allow no partner for it: ") + causes.joined(separator: ", ")
    }
}
