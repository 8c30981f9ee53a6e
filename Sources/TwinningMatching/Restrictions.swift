import TwinningShared
import TwinningInput
import TwinningScoring

/// Why a hromada, a partner or a pair is left out of a matching: the rule (or other
/// cause), a sentence for people and, for a rule of a rules file, where it was written.
public struct Exclusion: Sendable, Hashable, CustomStringConvertible {
    /// The rules-file key responsible, or a word for causes outside the rules file
    /// (`forbidden` pairs and ties, `seeking`, `volunteer`, `slots`).
    public let rule: String
    /// What the rule says of the hromada, partner or pair, without where.
    public let sentence: String
    /// The rules file and line of the rule's key; nil for causes outside the rules file.
    public let source: Provenance.Origin?

    public init(rule: String, reason: String, source: Provenance.Origin? = nil) {
        self.rule = rule
        self.sentence = reason
        self.source = source
    }

    /// The sentence and where the rule was written: `population 339784 outside
    /// partner_population 400–50000 (rules.yaml, line 4)`.
    public var reason: String {
        guard let at = source?.location else { return sentence }
        return "\(sentence) (\(at.file), line \(at.line))"
    }

    public var description: String { reason }
}

/// Limits on the proposals per partner group (country or region): caps and minimums,
/// from the rules' group rules.
public struct GroupLimits: Sendable, Equatable {
    public enum Grouping: String, Sendable { case country, region }
    public enum Bound: Sendable { case cap, minimum }
    public let grouping: Grouping
    public private(set) var caps: [String: Int] = [:]
    public private(set) var minimums: [String: Int] = [:]
    /// The rules-file keys the caps and the minimums came from, for messages.
    public private(set) var capKey = "", minimumKey = ""

    public init(grouping: Grouping) { self.grouping = grouping }

    public init(grouping: Grouping, caps: [String: Int], minimums: [String: Int] = [:]) {
        self.grouping = grouping
        set(.cap, caps, key: grouping == .country ? "country_caps" : "region_caps")
        set(.minimum, minimums, key: grouping == .country ? "country_minimums" : "region_minimums")
    }

    mutating func set(_ bound: Bound, _ limits: [String: Int], key: String) {
        switch bound {
        case .cap: caps = limits; capKey = key
        case .minimum: minimums = limits; minimumKey = key
        }
    }

    /// The group code of partner `j`.
    public func code(of j: Int, in partners: Registry) -> String {
        grouping == .country ? partners.countries[j] : partners.regions[j]
    }

    /// Group codes with a cap or a minimum, sorted: group `g` of the solver is `codes[g]`.
    public var codes: [String] { Set(caps.keys).union(minimums.keys).sorted() }
}

/// Everything that restricts a matching, compiled from the rules and the ties: who is
/// left out and why, which pairs are forbidden or locked and where that was said, the
/// level table, the minimum score and group caps. Scoring and the solver read this, and
/// explanations and unmatched reasons are told from it.
public struct Restrictions: Sendable {
    /// The rules file's `min_likelihood` and `min_fit` (``MinimumRule``) with where each
    /// was written, in ``Rules/kinds`` order.
    public private(set) var minimums: [(rule: any MinimumRule, source: Provenance.Origin)] = []
    /// The value of a minimum rule, if the rules have it.
    public func minimum<R: MinimumRule>(_ kind: R.Type) -> Double? { minimums.first { $0.rule is R }?.rule.value }
    /// Hromadas that take no part, and why.
    public private(set) var hromadaExclusions: [Int: Exclusion] = [:]
    /// Partners the rules leave out, and why (first reason given wins). Partners the pool
    /// leaves out (not volunteers, no slots) are not listed: see
    /// ``MatchInstance/partnerExclusion(_:)``.
    public private(set) var partnerExclusions: [Int: Exclusion] = [:]
    public private(set) var forbidden: [IndexPair: Provenance] = [:]
    /// Locked pairs in the order they were given, with where.
    public private(set) var locked: [(pair: IndexPair, source: Provenance)] = []
    public var groups: GroupLimits?
    /// Rules that judge pairs by both sides (``PairRule``: levels, distance), in
    /// ``Rules/kinds`` order, with where each was written.
    public private(set) var pairRules: [(rule: any PairRule, source: Provenance.Origin?)] = []

    public init() {}

    public mutating func add(_ rule: any PairRule, source: Provenance.Origin? = nil) { pairRules.append((rule, source)) }

    public mutating func require(_ rule: any MinimumRule, source: Provenance.Origin) { minimums.append((rule, source)) }

    /// The first pair rule that leaves out hromada `i` with partner `j`, as an exclusion.
    public func pairRuleExclusion(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> Exclusion? {
        for (rule, source) in pairRules where !rule.allows(i, j, hromadas: hromadas, partners: partners) {
            return Exclusion(rule: type(of: rule).key, reason: rule.reason(i, j, hromadas: hromadas, partners: partners), source: source)
        }
        return nil
    }

    /// Why a pair is left out for a likelihood or fit under its minimum, or nil. A pair
    /// without the number (no known tie to measure likelihood by; offers not real) is not
    /// judged by that rule.
    public func belowMinimum(_ b: Breakdown) -> Exclusion? {
        for (rule, source) in minimums {
            guard let x = rule is MinimumFit ? b.fit : b.likelihood, x < rule.value else { continue }
            return Exclusion(rule: type(of: rule).key, reason: rule.reason(x), source: source)
        }
        return nil
    }

    /// The minimums as the streaming passes read them (the components' score and the fit
    /// in single precision; −∞ where there is none): `min_likelihood` through the
    /// likelihood `scale`, as the least components' score whose likelihood reaches it.
    public func floors(_ scale: LikelihoodScale?) -> (components: Float, fit: Float) {
        func floor(_ x: Double?) -> Float {
            guard let x, x > -.infinity else { return -.infinity }
            var f = Float(x)
            if Double(f) < x { f = f.nextUp }
            return f
        }
        return (floor(minimum(MinimumLikelihood.self).flatMap { t in scale.map { $0.threshold(t) } }), floor(minimum(MinimumFit.self)))
    }

    public mutating func excludeHromada(_ i: Int, _ why: Exclusion) {
        if hromadaExclusions[i] == nil { hromadaExclusions[i] = why }
    }

    public mutating func excludePartner(_ j: Int, _ why: Exclusion) {
        if partnerExclusions[j] == nil { partnerExclusions[j] = why }
    }

    public mutating func forbid(_ pair: IndexPair, _ source: Provenance) {
        if forbidden[pair] == nil { forbidden[pair] = source }
    }

    public mutating func lock(_ pair: IndexPair, _ source: Provenance) {
        locked.append((pair, source))
    }

    /// Where a locked pair was locked, if it is.
    public func lockSource(_ pair: IndexPair) -> Provenance? {
        locked.first { $0.pair == pair }?.source
    }
}
