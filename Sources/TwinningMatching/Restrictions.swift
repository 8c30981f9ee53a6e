import TwinningShared
import TwinningInput
import TwinningScoring

/// Why a hromada, a partner or a pair is left out of a matching: the rule (or other
/// cause) and a sentence for people.
public struct Exclusion: Sendable, Hashable, CustomStringConvertible {
    /// The rules-file key responsible, or a word for causes outside the rules file
    /// (`ties`, `volunteer`, `slots`).
    public let rule: String
    public let reason: String
    public init(rule: String, reason: String) { self.rule = rule; self.reason = reason }
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
    public var minScore: Double = 0
    /// Hromadas that take no part, and why.
    public private(set) var hromadaExclusions: [Int: Exclusion] = [:]
    /// Partners the rules leave out, and why (first reason given wins). Partners the pool
    /// leaves out (not volunteers, no slots) are not listed: see
    /// ``MatchInstance/partnerExclusion(_:)``.
    public private(set) var partnerExclusions: [Int: Exclusion] = [:]
    /// Partner levels each hromada level may pair with (a level not listed: any).
    public var allowedLevels: [Level: Set<Level>] = [:]
    public private(set) var forbidden: [IndexPair: Provenance] = [:]
    /// Locked pairs in the order they were given, with where.
    public private(set) var locked: [(pair: IndexPair, source: Provenance)] = []
    public var groups: GroupLimits?
    /// Rules that judge pairs by both sides (``PairRule``), in the order of the file.
    public private(set) var pairRules: [any PairRule] = []

    public init() {}

    public mutating func add(_ rule: any PairRule) { pairRules.append(rule) }

    /// The first pair rule that leaves out hromada `i` with partner `j`, as an exclusion.
    public func pairRuleExclusion(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> Exclusion? {
        for rule in pairRules where !rule.allows(i, j, hromadas: hromadas, partners: partners) {
            return Exclusion(rule: type(of: rule).key, reason: rule.reason(i, j, hromadas: hromadas, partners: partners))
        }
        return nil
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

    /// Whether the level table lets a hromada of level `a` pair with a partner of level `b`.
    @inline(__always)
    public func levelsAllow(_ a: Level, _ b: Level) -> Bool {
        allowedLevels[a]?.contains(b) ?? true
    }

    /// Where a locked pair was locked, if it is.
    public func lockSource(_ pair: IndexPair) -> Provenance? {
        locked.first { $0.pair == pair }?.source
    }
}
