import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

extension Restrictions {
    /// Compiles the rules and the ties (existing partnerships and coordinators'
    /// decisions) against the registries. Unknown ids and a pair both locked and
    /// forbidden are problems of the file that named them. A locked or accepted pair is
    /// exempt from every other rule (and proposed with a warning where a rule would leave
    /// its hromada or partner out).
    public init(rules: Rules, ties: [Tie], hromadas: Registry, partners: Registry) throws(InputErrors) {
        self.init()
        for t in ties {
            switch t.status {
            case .accepted: lock(t.pair, t.source)
            case .existing, .rejected: forbid(t.pair, t.source)
            }
        }
        var errors: [InputError] = []
        if let file = rules.file {
            var context = RuleContext(hromadas: hromadas, partners: partners,
                                      resolver: IDResolver(hromadas: hromadas, partners: partners), file: file)
            for rule in rules.rules {
                context.line = rules.lines[type(of: rule).key] ?? 0
                rule.apply(to: &self, context, errors: &errors)
            }
        }
        for (pair, source) in locked {
            guard let why = forbidden[pair] else { continue }
            let location = source.location ?? why.location ?? ("(decisions)", 0)
            errors.append(InputError(.conflict, file: location.0, line: location.1,
                "pair \(hromadas.ids[pair.hromada]), \(partners.ids[pair.partner]) is \(source) but also \(why): remove one of the two"))
        }
        // In the order of the rules file, as a reader goes through it (rules apply by kind).
        let ordered = errors.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
        if !errors.isEmpty { throw InputErrors(ordered.map(\.element)) }
    }
}

/// Which partners a matching considers.
public enum CandidatePool: String, Sendable, CaseIterable {
    /// The partners that signed up (`volunteer` column), as programmes match.
    case volunteers
    /// Every partner, with its slots: which municipalities to invite, or "what if every
    /// municipality took part".
    case all
}

/// One matching to solve: the inputs with every id resolved to a row, the restrictions,
/// who takes part and how many partners each hromada wants. `match`, `explain`, the
/// nightly batch and `tune`'s stability runs all build one of these.
public struct MatchInstance: Sendable {
    public let hromadas: Registry
    public let partners: Registry
    public let ties: [Tie]
    public let rules: Rules
    public let weights: Weights
    public let restrictions: Restrictions
    /// Partners each hromada wants in this matching.
    public let demand: [Int]
    /// Hromadas that take part (they want partners or have locked pairs), in index order.
    public let seeking: [Int]
    /// Partners that take part: those the rules and the pool let in, and those named in a
    /// locked or accepted pair (for that pair only: see ``lockedOnlyPartners``).
    public let isCandidate: [Bool]
    /// Partners that take part only for their locked or accepted pairs, sorted: the rules
    /// or the pool leave them out of every other pair. A lock exempts its pair, never its
    /// partner.
    public let lockedOnlyPartners: [Int]
    /// Pairs proposed last time and the bonus they get in the optimisation (reported
    /// scores stay the plain ones), so proposals do not churn without cause.
    public let incumbents: Set<IndexPair>
    public let incumbencyBonus: Double
    /// Hromadas that already have a partner (an existing tie).
    public let alreadyPartnered: Set<Int>
    /// Existing partners per hromada (those with none are left out).
    public let existing: [Int: Int]
    /// The existing ties and the partners' regions, as the score reads them.
    public let context: ScoreContext

    /// Which partners take part.
    public let pool: CandidatePool
    /// The likelihood scale `min_likelihood` is read on (nil without that rule, or with
    /// no known tie: then the rule judges nothing).
    public let likelihood: LikelihoodScale?

    public init(hromadas: Registry, partners: Registry, ties: [Tie], rules: Rules, weights: Weights,
                restrictions: Restrictions, pool: CandidatePool = .volunteers,
                incumbents: Set<IndexPair> = [], incumbencyBonus: Double = 0) {
        self.pool = pool
        self.hromadas = hromadas
        self.partners = partners
        self.ties = ties
        self.rules = rules
        self.weights = weights
        self.incumbents = incumbents
        self.incumbencyBonus = incumbencyBonus
        var r = restrictions
        var existing: [Int: Int] = [:]
        for t in ties where t.status == .existing { existing[t.hromada, default: 0] += 1 }
        self.existing = existing
        alreadyPartnered = Set(existing.keys)
        var lockedPerHromada: [Int: Int] = [:], lockedPartners = Set<Int>()
        for (pair, _) in r.locked { lockedPerHromada[pair.hromada, default: 0] += 1; lockedPartners.insert(pair.partner) }
        // Who seeks partners: the `seeking` column, and where it is empty (or absent) every
        // hromada without a partner yet. Slots are partners wanted in all, so a hromada
        // seeking with partners already gets the difference (a top-up); one not seeking
        // takes part only for pairs a coordinator accepted or the rules lock. (More locked
        // pairs than that is a contradiction the solver reports.)
        // A hromada the rules exclude takes part only for its locked pairs too. No hromada
        // can use more slots than there are partners (each pairs with it once), so demand
        // is bounded by that: slots of 10⁹ or Int.max cost nothing and overflow nothing.
        let demand = (0..<hromadas.count).map { i in
            let has = existing[i] ?? 0, locked = lockedPerHromada[i] ?? 0
            if r.hromadaExclusions[i] != nil { return locked }
            return (hromadas.seeking[i] ?? (has == 0)) ? min(max(0, hromadas.slots[i] - has), partners.count) : locked
        }
        self.demand = demand
        seeking = (0..<hromadas.count).filter { demand[$0] > 0 || lockedPerHromada[$0] != nil }
        for i in 0..<hromadas.count where demand[i] == 0 && lockedPerHromada[i] == nil {
            let has = existing[i] ?? 0
            let why: String
            switch hromadas.seeking[i] {
            case false?: why = "has not signed up for partners (seeking 0)"
            case nil where has > 0: why = "already has \(has) partner\(has == 1 ? "" : "s") (ties) and has not signed up for more"
            default: why = hromadas.slots[i] == 0 ? "asks for no partners (slots 0)"
                : "already has \(has) partner\(has == 1 ? "" : "s"), as many as its slots (\(hromadas.slots[i]))"
            }
            r.excludeHromada(i, Exclusion(rule: "seeking", reason: why))
        }
        self.restrictions = r
        // A locked pair's partner takes part for that pair whatever else would leave it
        // out; for every other pair the rules hold (``exclusion(of:)``, ``PairFilter``).
        let allowed = (0..<partners.count).map { j in r.partnerExclusions[j] == nil && Self.poolExclusion(j, partners, pool) == nil }
        lockedOnlyPartners = lockedPartners.filter { !allowed[$0] }.sorted()
        isCandidate = (0..<partners.count).map { j in allowed[j] || lockedPartners.contains(j) }
        let context = ScoreContext(hromadas: hromadas, partners: partners, ties: ties.filter { $0.status == .existing }.map(\.pair),
                                   priorStrength: weights[.priorStrength])
        self.context = context
        likelihood = r.minimum(MinimumLikelihood.self) == nil ? nil
            : ScoreModel.likelihoodScale(hromadas: hromadas, partners: partners, weights: weights, context: context)
    }

    /// Why partner `j` would take no part, if it would not: a rule, or (derived, not stored:
    /// on the shipped data 95,000 of the 98,000 partners) its sign-up or its slots.
    public func partnerExclusion(_ j: Int) -> Exclusion? {
        restrictions.partnerExclusions[j] ?? Self.poolExclusion(j, partners, pool)
    }

    static func poolExclusion(_ j: Int, _ partners: Registry, _ pool: CandidatePool) -> Exclusion? {
        if pool == .volunteers && !partners.volunteers[j] { return Exclusion(rule: "volunteer", reason: "not a volunteer") }
        if partners.slots[j] == 0 { return Exclusion(rule: "slots", reason: "has no slots") }
        return nil
    }

    /// The same matching with other weights (tuning's stability runs).
    public func with(weights: Weights) -> MatchInstance {
        MatchInstance(hromadas: hromadas, partners: partners, ties: ties, rules: rules, weights: weights,
                      restrictions: restrictions, pool: pool, incumbents: incumbents, incumbencyBonus: incumbencyBonus)
    }

    /// Whether a pair may be proposed, before scores are known: it is locked (or
    /// accepted), or both sides take part under the rules, it is not forbidden and every
    /// pair rule (levels, distance) allows it; otherwise why not, as the first rule to
    /// leave it out says it. A lock exempts its own pair only: the partner of a locked pair
    /// obeys every rule with every other hromada.
    public func exclusion(of pair: IndexPair) -> Exclusion? {
        if restrictions.lockSource(pair) != nil { return nil }
        if let why = restrictions.hromadaExclusions[pair.hromada] { return why }
        if let why = partnerExclusion(pair.partner) { return why }
        if let source = restrictions.forbidden[pair] { return Exclusion(rule: "forbidden", reason: "\(source)") }
        return restrictions.pairRuleExclusion(pair.hromada, pair.partner, hromadas: hromadas, partners: partners)
    }

    /// The score model for the hromadas `rows` against the partners `columns`.
    func scoreModel(rows: [Int], columns: [Int]) -> ScoreModel {
        ScoreModel(hromadas: hromadas, partners: partners, weights: weights, context: context, rows: rows, columns: columns)
    }
}
