import Foundation
import Yams
import TwinningShared
import TwinningInput
import TwinningScoring

/// One rule of a programme's rules file: its YAML key, how its value is read, and what it
/// does to a matching. A new rule is one type conforming to this protocol plus its entry
/// in ``Rules/kinds``; the loader, `validate`, the outputs and the documentation follow.
public protocol Rule: Sendable {
    /// The rule's key in a rules file.
    static var key: String { get }
    /// What it does, in one line.
    static var summary: String { get }
    /// Reads the rule's value; problems go to `reader`, and nil means the value was wrong.
    static func parse(_ value: Node, reader: inout YAMLReader) -> Self?
    /// Adds the rule's part of the matching's restrictions; ids are resolved here, with
    /// unknown ones reported as problems of the rules file.
    func apply(to restrictions: inout Restrictions, _ context: RuleContext, errors: inout [InputError])
    /// The rule as recorded in outputs (`proposals.json`, the run store).
    var recorded: RecordedValue { get }
}

/// A rule that judges pairs by what both sides are (their levels, a distance, a
/// language…), not by who takes part. It is compiled once per matching into the pair
/// filter — every seeking hromada against every partner, on all cores, into one bit per
/// pair — so the streaming scan never asks a rule about a pair; `explain`, the
/// alternatives and the unmatched reasons read ``reason(_:_:hromadas:partners:)``. A new
/// pair rule is one type conforming to this protocol and its entry in ``Rules/kinds``;
/// ``LevelPairs`` and ``MaximumDistance`` are two.
public protocol PairRule: Rule {
    /// Whether the rule lets hromada `i` pair with partner `j`.
    func allows(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> Bool
    /// Why it does not, in words for people.
    func reason(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> String
    /// The rule's part of the compiled pair filter for hromada `i`: calls `leaveOut(c)` for
    /// every `c` where it does not let `i` pair with `columns[c]`. The default asks
    /// ``allows(_:_:hromadas:partners:)`` pair by pair; a rule with a cheaper form (a
    /// table, a rule that allows every pair of most hromadas) says so here.
    func leaveOut(hromada i: Int, columns: [Int], hromadas: Registry, partners: Registry, _ leaveOut: (Int) -> Void)
}

extension PairRule {
    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        r.add(self, source: context.source)
    }

    public func leaveOut(hromada i: Int, columns: [Int], hromadas: Registry, partners: Registry, _ leaveOut: (Int) -> Void) {
        for (c, j) in columns.enumerated() where !allows(i, j, hromadas: hromadas, partners: partners) { leaveOut(c) }
    }
}

/// A programme's rules, read from a YAML file:
///
/// ```yaml
/// min_likelihood: 0.2      # pairs less typical than 20 % of known partnerships are never proposed
/// eu_members_only: true    # partners outside the EU-27 are left out
/// forbidden:               # never propose these pairs
///   - [UA05020030000031457, DE_08212000]
/// locked:                  # always propose these pairs
///   - [UA05020010000053508, PL_1002301602805]
/// levels:                  # hromada level → partner levels it may pair with
///   village: [village, settlement]
/// country_caps:            # at most this many proposals with partners of a country
///   PL: 300
/// ```
public struct Rules: Sendable {
    /// Every kind of rule, in the order they are documented and recorded.
    public static let kinds: [any Rule.Type] = [
        MinimumLikelihood.self, MinimumFit.self, EUMembersOnly.self, PartnerCountries.self, PartnerPopulation.self, ExcludedOblasts.self,
        ExcludedStatuses.self, ForbiddenPairs.self, LockedPairs.self, LevelPairs.self,
        CountryCaps.self, RegionCaps.self, CountryMinimums.self, RegionMinimums.self, MaximumDistance.self,
    ]

    /// Every key a rules file may have.
    public static var keys: [String] { kinds.map { $0.key } }

    /// The file the rules were read from, as given; nil when there are none.
    public let file: String?
    /// The rules of the file, in ``kinds`` order.
    public let rules: [any Rule]
    /// The line of each rule's key in the file, by key: where reasons point.
    public let lines: [String: Int]

    public init(_ rules: [any Rule] = [], file: String? = nil, lines: [String: Int] = [:]) {
        self.rules = Rules.kinds.flatMap { kind in rules.filter { type(of: $0) == kind } }
        self.file = file
        self.lines = lines
    }

    /// The rule of a kind, if the file has it.
    public func rule<R: Rule>(_ kind: R.Type) -> R? { rules.first { $0 is R } as? R }

    /// Keys that once existed, with what replaced them.
    public static let retired = [
        "min_score": "min_score is retired: the score has no scale of its own. Write min_likelihood (the share of known "
            + "partnerships a pair must be more typical than, such as 0.2) or min_fit (how well a partner's offers must "
            + "meet the hromada's needs, from 0 to 1)",
    ]

    public static func load(path: String) throws(InputErrors) -> Rules {
        try parse(InputFile.text(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> Rules {
        let root = try YAMLReader.parse(text, file: file)
        var reader = YAMLReader(file: file)
        var rules: [any Rule] = [], keyMarks: [String: Mark] = [:]
        for (key, keyNode, value) in reader.entries(root, keys: keys, what: "rules", retired: retired) {
            let kind = kinds.first { $0.key == key }!
            keyMarks[key] = keyNode.mark
            if let rule = kind.parse(value, reader: &reader) { rules.append(rule) }
        }
        let groupRules = rules.compactMap { $0 as? any GroupLimitRule }
        if Set(groupRules.map { type(of: $0).grouping }).count > 1 {
            // Told at the key that comes last in the file, naming where the other one is.
            let placed = groupRules.map { (key: type(of: $0).key, grouping: type(of: $0).grouping, mark: keyMarks[type(of: $0).key]) }
                .sorted { ($0.mark?.line ?? 0, $0.key) < ($1.mark?.line ?? 0, $1.key) }
            let last = placed.last!
            let others = placed.filter { $0.grouping != last.grouping }.map { "\($0.key) (line \($0.mark?.line ?? 0))" }
            reader.fail(line: last.mark?.line ?? 0, column: last.mark?.column ?? 0, .conflict,
                        "\(last.key) groups partners by \(last.grouping.rawValue), \(others.joined(separator: " and ")) by "
                        + "\(last.grouping == .country ? "region" : "country"): caps and minimums must all be by country or all by region")
        }
        for minimums in groupRules where type(of: minimums).bound == .minimum {
            guard let caps = groupRules.first(where: { type(of: $0).bound == .cap && type(of: $0).grouping == type(of: minimums).grouping })
            else { continue }
            for (code, least) in minimums.limits.sorted(by: { $0.key < $1.key }) {
                if let most = caps.limits[code], least.value > most.value {
                    reader.fail(line: least.line, .conflict, "\(type(of: minimums).key).\(code) asks for at least \(least.value) but "
                                + "\(type(of: caps).key).\(code) allows at most \(most.value) (line \(most.line)): lower one of the two")
                }
            }
        }
        let forbidden = Dictionary((rules.compactMap { $0 as? ForbiddenPairs }.first?.pairs ?? []).map { ($0.ids, $0.line) },
                                   uniquingKeysWith: { a, _ in a })
        for pair in rules.compactMap({ $0 as? LockedPairs }).first?.pairs ?? [] {
            if let line = forbidden[pair.ids] {
                reader.fail(line: pair.line, column: pair.column, .conflict,
                            "pair \(pair.ids.hromada), \(pair.ids.partner) is locked here and forbidden on line \(line): remove one of the two")
            }
        }
        try reader.finish()
        return Rules(rules, file: file, lines: keyMarks.mapValues(\.line))
    }

    /// Every rule as recorded in outputs, by key.
    public var recorded: [String: RecordedValue] {
        Dictionary(uniqueKeysWithValues: rules.map { (type(of: $0).key, $0.recorded) })
    }
}

/// What the rules see of a matching when they apply: the registries and how to resolve
/// ids, with the rules file and the line of the rule applying for provenance.
public struct RuleContext: Sendable {
    public let hromadas: Registry
    public let partners: Registry
    public let resolver: IDResolver
    public let file: String
    /// The line of the applying rule's key.
    public var line = 0

    /// Where the applying rule was written: what its reasons point to.
    public var source: Provenance.Origin { .file(path: file, line: line) }

    /// The rule `rule` leaves something out, saying `reason`.
    func exclusion(_ rule: String, _ reason: String) -> Exclusion { Exclusion(rule: rule, reason: reason, source: source) }
}

// MARK: - The rules

/// A least value of one of a pair's two readable numbers (`Breakdown.likelihood` or
/// `Breakdown.fit`): pairs under it are never proposed (locked ones excepted); a pair
/// without the number (no known tie; offers not real) is not judged by it.
public protocol MinimumRule: Rule {
    /// What the rule reads: `likelihood` or `fit`.
    static var measure: String { get }
    var value: Double { get }
    init(value: Double)
}

extension MinimumRule {
    public static func parse(_ value: Node, reader: inout YAMLReader) -> Self? {
        reader.number(value, key, in: 0...1, expected: "a number between 0 and 1").map(Self.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        r.require(self, source: context.source)
    }

    /// Why a pair whose ``measure`` is `x` (less than the minimum) is left out.
    public func reason(_ x: Double) -> String {
        "its \(Self.measure) is \(Decimals.fixed(x, 3)), below \(Self.key) \(YAMLReader.shown(value))"
    }

    public var recorded: RecordedValue { .number(value) }
}

/// `min_likelihood: X`: pairs less typical than the share X of the known partnerships
/// (their `Breakdown.likelihood` under X) are never proposed.
public struct MinimumLikelihood: MinimumRule {
    public static let key = "min_likelihood"
    public static let summary = "pairs less typical than this share of known partnerships are never proposed"
    public static let measure = "likelihood"
    public let value: Double
    public init(value: Double) { self.value = value }
}

/// `min_fit: X`: pairs whose partner's offers meet the hromada's needs less than X (their
/// `Breakdown.fit`) are never proposed; pairs without a fit are not judged by it.
public struct MinimumFit: MinimumRule {
    public static let key = "min_fit"
    public static let summary = "pairs whose offers meet the needs less than this are never proposed"
    public static let measure = "fit"
    public let value: Double
    public init(value: Double) { self.value = value }
}

/// `eu_members_only: true`: partners outside the EU-27 are left out.
public struct EUMembersOnly: Rule {
    public static let key = "eu_members_only"
    public static let summary = "partners outside the EU-27 are left out"
    public let value: Bool

    public static func parse(_ value: Node, reader: inout YAMLReader) -> EUMembersOnly? {
        reader.bool(value, key).map(EUMembersOnly.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        guard value, let eu = context.partners.euMembers else { return }
        for j in 0..<context.partners.count where !eu[j] {
            r.excludePartner(j, context.exclusion(Self.key, "not an EU member (eu_members_only)"))
        }
    }

    public var recorded: RecordedValue { .bool(value) }
}

/// A hromada–partner pair named by ids in a rules file, with where it was written.
public struct PairByID: Sendable, Hashable {
    public struct IDs: Sendable, Hashable { public let hromada: String; public let partner: String }
    public let ids: IDs
    public let line: Int
    public let column: Int

    /// Reads a list of `[hromada id, partner id]` pairs.
    static func list(_ value: Node, _ key: String, reader: inout YAMLReader) -> [PairByID]? {
        guard let items = reader.items(value, key, expected: "[hromada id, partner id] pairs") else { return nil }
        var out: [PairByID] = [], seen: [IDs: Int] = [:]
        for item in items {
            guard let pair = item.sequence, pair.count == 2, let h = pair[0].scalar?.string, let p = pair[1].scalar?.string,
                  !h.isEmpty, !p.isEmpty else {
                reader.fail(item, .invalidValue, "each \(key) entry must be [hromada id, partner id]")
                continue
            }
            let ids = IDs(hromada: h, partner: p), line = item.mark?.line ?? 0
            if let first = seen[ids] {
                reader.fail(item, .duplicate, "pair \(h), \(p) is listed twice in \(key) (first on line \(first))")
                continue
            }
            seen[ids] = line
            out.append(PairByID(ids: ids, line: line, column: item.mark?.column ?? 0))
        }
        return out
    }

    /// The pair's row indices, or a problem of the rules file.
    func resolve(_ context: RuleContext, _ key: String, errors: inout [InputError]) -> IndexPair? {
        let suggest = errors.count < 10
        switch (context.resolver.hromada(ids.hromada, suggest: suggest), context.resolver.partner(ids.partner, suggest: suggest)) {
        case let (.success(i), .success(j)):
            return IndexPair(i, j)
        case let (.failure(message), _), let (_, .failure(message)):
            errors.append(InputError(.unknownID, file: context.file, line: line, column: column, "\(key) pair names an \(message)"))
            return nil
        }
    }

    var recorded: RecordedValue { .list([.text(ids.hromada), .text(ids.partner)]) }
}

/// `forbidden: [[UA_ID, EU_ID], …]`: never propose these pairs.
public struct ForbiddenPairs: Rule {
    public static let key = "forbidden"
    public static let summary = "never propose these pairs"
    public let pairs: [PairByID]

    public static func parse(_ value: Node, reader: inout YAMLReader) -> ForbiddenPairs? {
        PairByID.list(value, key, reader: &reader).map(ForbiddenPairs.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        for pair in pairs {
            if let p = pair.resolve(context, Self.key, errors: &errors) {
                r.forbid(p, Provenance("forbidden", .file(path: context.file, line: pair.line)))
            }
        }
    }

    public var recorded: RecordedValue { .list(pairs.map(\.recorded)) }
}

/// `locked: [[UA_ID, EU_ID], …]`: always propose these pairs.
public struct LockedPairs: Rule {
    public static let key = "locked"
    public static let summary = "always propose these pairs"
    public let pairs: [PairByID]

    public static func parse(_ value: Node, reader: inout YAMLReader) -> LockedPairs? {
        PairByID.list(value, key, reader: &reader).map(LockedPairs.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        for pair in pairs {
            if let p = pair.resolve(context, Self.key, errors: &errors) {
                r.lock(p, Provenance("locked", .file(path: context.file, line: pair.line)))
            }
        }
    }

    public var recorded: RecordedValue { .list(pairs.map(\.recorded)) }
}

/// `levels: {village: [village, settlement], …}`: the partner levels each hromada level
/// may pair with; a level not listed may pair with any.
public struct LevelPairs: PairRule {
    public static let key = "levels"
    public static let summary = "hromada level → partner levels it may pair with"
    public let allowed: [Level: Set<Level>]

    public static func parse(_ value: Node, reader: inout YAMLReader) -> LevelPairs? {
        let levels = Level.allCases.map(\.rawValue)
        var allowed: [Level: Set<Level>] = [:]
        for (from, _, to) in reader.entries(value, keys: levels, what: "level") {
            guard let list = reader.items(to, "levels.\(from)", expected: "partner levels such as [village, settlement]") else { continue }
            var targets = Set<Level>()
            for node in list {
                guard let text = node.scalar?.string, let level = Level(rawValue: text) else {
                    reader.fail(node, .invalidValue, "unknown level \(YAMLReader.shown(node)); expected \(levels.joined(separator: ", "))")
                    continue
                }
                targets.insert(level)
            }
            allowed[Level(rawValue: from)!] = targets
        }
        return LevelPairs(allowed: allowed)
    }

    public func allows(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> Bool {
        allowed[hromadas.levels[i]]?.contains(partners.levels[j]) ?? true
    }

    public func reason(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> String {
        "the rules' levels do not let a \(hromadas.levels[i].rawValue) pair with a \(partners.levels[j].rawValue)"
    }

    /// A table: hromadas of a level not listed pair with any partner, and for the others
    /// each partner's level is looked up in a few bits.
    public func leaveOut(hromada i: Int, columns: [Int], hromadas: Registry, partners: Registry, _ leaveOut: (Int) -> Void) {
        guard let targets = allowed[hromadas.levels[i]] else { return }
        let ok = Level.allCases.map(targets.contains)
        partners.levels.withUnsafeBufferPointer { levels in
            for (c, j) in columns.enumerated() where !ok[levels[j].ordinal] { leaveOut(c) }
        }
    }

    public var recorded: RecordedValue {
        .map(Dictionary(uniqueKeysWithValues: allowed.map { ($0.key.rawValue, .list($0.value.map(\.rawValue).sorted().map(RecordedValue.text))) }))
    }
}

/// Limits per partner group (a country or a NUTS 3 region): at most (caps) or at least
/// (minimums) this many proposals with partners of the group. All of a file's group
/// rules must group partners the same way, since the solver gives each partner one group.
public protocol GroupLimitRule: Rule {
    var limits: [String: (value: Int, line: Int, column: Int)] { get }
    init(limits: [String: (value: Int, line: Int, column: Int)])
    static var grouping: GroupLimits.Grouping { get }
    static var bound: GroupLimits.Bound { get }
}

extension GroupLimitRule {
    public static func parse(_ value: Node, reader: inout YAMLReader) -> Self? {
        guard let mapping = value.mapping else {
            reader.fail(value, .invalidValue, "\(key) must map a code to a whole number, such as \(grouping == .country ? "PL" : "PL213"): 30")
            return nil
        }
        var limits: [String: (value: Int, line: Int, column: Int)] = [:]
        for (code, limit) in mapping {
            guard let c = code.scalar?.string, !c.isEmpty else {
                reader.fail(code, .invalidValue, "\(key) keys must be \(grouping == .country ? "country codes such as PL" : "NUTS 3 codes such as PL213")")
                continue
            }
            if let k = reader.wholeNumber(limit, "\(key).\(c)") { limits[c] = (k, code.mark?.line ?? 0, code.mark?.column ?? 0) }
        }
        return Self(limits: limits)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        let p = context.partners
        let present = Set(Self.grouping == .country ? p.countries : p.regions)
        for (code, limit) in limits.sorted(by: { $0.key < $1.key }) where !present.contains(code) {
            errors.append(InputError(.unknownID, file: context.file, line: limit.line, column: limit.column,
                "\(Self.key) names \(Self.grouping.rawValue) \"\(code.prefix(40))\", which no partner in \(p.file) has"
                    + Suggestions.phrase(for: code, among: Array(present))))
        }
        var groups = r.groups ?? GroupLimits(grouping: Self.grouping)
        groups.set(Self.bound, limits.mapValues(\.value), key: Self.key)
        r.groups = groups
    }

    public var recorded: RecordedValue { .map(limits.mapValues { .number(Double($0.value)) }) }
}

/// `country_caps: {PL: 300}`: at most this many proposals with partners of a country.
public struct CountryCaps: GroupLimitRule {
    public static let key = "country_caps"
    public static let summary = "at most this many proposals with partners of a country"
    public static let grouping = GroupLimits.Grouping.country
    public static let bound = GroupLimits.Bound.cap
    public let limits: [String: (value: Int, line: Int, column: Int)]
    public init(limits: [String: (value: Int, line: Int, column: Int)]) { self.limits = limits }
}

/// `region_caps: {PL213: 20}`: at most this many proposals with partners of a region.
public struct RegionCaps: GroupLimitRule {
    public static let key = "region_caps"
    public static let summary = "at most this many proposals with partners of a (NUTS 3) region"
    public static let grouping = GroupLimits.Grouping.region
    public static let bound = GroupLimits.Bound.cap
    public let limits: [String: (value: Int, line: Int, column: Int)]
    public init(limits: [String: (value: Int, line: Int, column: Int)]) { self.limits = limits }
}

/// `country_minimums: {PL: 50}`: at least this many proposals with partners of a
/// country, met exactly together with everything else, or an error saying how far short.
public struct CountryMinimums: GroupLimitRule {
    public static let key = "country_minimums"
    public static let summary = "at least this many proposals with partners of a country"
    public static let grouping = GroupLimits.Grouping.country
    public static let bound = GroupLimits.Bound.minimum
    public let limits: [String: (value: Int, line: Int, column: Int)]
    public init(limits: [String: (value: Int, line: Int, column: Int)]) { self.limits = limits }
}

/// `region_minimums: {PL213: 5}`: at least this many proposals with partners of a region.
public struct RegionMinimums: GroupLimitRule {
    public static let key = "region_minimums"
    public static let summary = "at least this many proposals with partners of a (NUTS 3) region"
    public static let grouping = GroupLimits.Grouping.region
    public static let bound = GroupLimits.Bound.minimum
    public let limits: [String: (value: Int, line: Int, column: Int)]
    public init(limits: [String: (value: Int, line: Int, column: Int)]) { self.limits = limits }
}

/// A list of texts in a rules file, each with where it was written.
public struct ListedText: Sendable, Hashable {
    public let value: String
    public let line: Int
    public let column: Int

    static func list(_ node: Node, _ key: String, expected: String, reader: inout YAMLReader) -> [ListedText]? {
        guard let items = reader.items(node, key, expected: expected) else { return nil }
        var out: [ListedText] = []
        for item in items {
            guard let text = reader.string(item, "each \(key) entry", expected: expected) else { continue }
            out.append(ListedText(value: text, line: item.mark?.line ?? 0, column: item.mark?.column ?? 0))
        }
        return out
    }

    /// Reports the entries that match nothing in `present`, with the closest values.
    static func check(_ entries: [ListedText], against present: Set<String>, _ key: String, what: String,
                      context: RuleContext, errors: inout [InputError]) {
        for entry in entries where !present.contains(entry.value) {
            errors.append(InputError(.unknownID, file: context.file, line: entry.line, column: entry.column,
                "\(key) names \(what) \"\(entry.value.prefix(40))\", which no row has"
                    + Suggestions.phrase(for: entry.value, among: Array(present))))
        }
    }
}

/// `partner_countries: [PL, DE]`: only partners of these countries take part.
public struct PartnerCountries: Rule {
    public static let key = "partner_countries"
    public static let summary = "only partners of these countries take part"
    public let countries: [ListedText]

    public static func parse(_ value: Node, reader: inout YAMLReader) -> PartnerCountries? {
        ListedText.list(value, key, expected: "country codes such as [PL, DE]", reader: &reader).map(PartnerCountries.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        let p = context.partners
        ListedText.check(countries, against: Set(p.countries), Self.key, what: "country", context: context, errors: &errors)
        let allowed = Set(countries.map(\.value))
        for j in 0..<p.count where !allowed.contains(p.countries[j]) {
            r.excludePartner(j, context.exclusion(Self.key, "its country (\(p.countries[j])) is not in partner_countries"))
        }
    }

    public var recorded: RecordedValue { .list(countries.map { .text($0.value) }) }
}

/// `partner_population: [400, 50000]`: only partners with this many inhabitants (bounds
/// included) take part.
public struct PartnerPopulation: Rule {
    public static let key = "partner_population"
    public static let summary = "only partners with this many inhabitants, bounds included, take part"
    public let range: ClosedRange<Double>

    public static func parse(_ value: Node, reader: inout YAMLReader) -> PartnerPopulation? {
        let expected = "[least, most] inhabitants, such as [400, 50000]"
        guard let items = reader.items(value, key, expected: expected) else { return nil }
        guard items.count == 2 else {
            reader.fail(value, .invalidValue, "\(key) must be \(expected), found \(items.count) value(s)")
            return nil
        }
        guard let low = reader.number(items[0], "\(key) least", in: 0...1e12, expected: "a number ≥ 0"),
              let high = reader.number(items[1], "\(key) most", in: 0...1e12, expected: "a number ≥ 0") else { return nil }
        guard low <= high else {
            reader.fail(value, .invalidValue, "\(key) must be [least, most] with least ≤ most, found [\(YAMLReader.shown(low)), \(YAMLReader.shown(high))]")
            return nil
        }
        return PartnerPopulation(range: low...high)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        let p = context.partners
        let band = "\(YAMLReader.shown(range.lowerBound))–\(YAMLReader.shown(range.upperBound))"
        for j in 0..<p.count where !range.contains(p.populations[j]) {
            r.excludePartner(j, context.exclusion(Self.key, "population \(YAMLReader.shown(p.populations[j].rounded())) outside partner_population \(band)"))
        }
    }

    public var recorded: RecordedValue { .list([.number(range.lowerBound), .number(range.upperBound)]) }
}

/// `exclude_oblasts: [Luhansk Oblast]`: hromadas of these oblasts take no part.
public struct ExcludedOblasts: Rule {
    public static let key = "exclude_oblasts"
    public static let summary = "hromadas of these oblasts take no part"
    public let oblasts: [ListedText]

    public static func parse(_ value: Node, reader: inout YAMLReader) -> ExcludedOblasts? {
        ListedText.list(value, key, expected: "oblasts as in the hromadas file, such as [Luhansk Oblast]", reader: &reader).map(ExcludedOblasts.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        let h = context.hromadas
        ListedText.check(oblasts, against: Set(h.regions), Self.key, what: "oblast", context: context, errors: &errors)
        let excluded = Set(oblasts.map(\.value))
        for i in 0..<h.count where excluded.contains(h.regions[i]) {
            r.excludeHromada(i, context.exclusion(Self.key, "its oblast (\(h.regions[i])) is in exclude_oblasts"))
        }
    }

    public var recorded: RecordedValue { .list(oblasts.map { .text($0.value) }) }
}

/// `exclude_status: [occupied]`: hromadas with these statuses (the `status` column) take
/// no part.
public struct ExcludedStatuses: Rule {
    public static let key = "exclude_status"
    public static let summary = "hromadas with these statuses (status column) take no part"
    public let statuses: [ListedText]

    public static func parse(_ value: Node, reader: inout YAMLReader) -> ExcludedStatuses? {
        ListedText.list(value, key, expected: "statuses as in the hromadas file, such as [occupied]", reader: &reader).map(ExcludedStatuses.init)
    }

    public func apply(to r: inout Restrictions, _ context: RuleContext, errors: inout [InputError]) {
        let h = context.hromadas
        let present = Set(h.statuses.filter { !$0.isEmpty })
        if present.isEmpty, let first = statuses.first {
            errors.append(InputError(.missing, file: context.file, line: first.line, column: first.column,
                                     "\(Self.key) needs a status column in \(h.file), which has none"))
            return
        }
        ListedText.check(statuses, against: present, Self.key, what: "status", context: context, errors: &errors)
        let excluded = Set(statuses.map(\.value))
        for i in 0..<h.count where excluded.contains(h.statuses[i]) {
            r.excludeHromada(i, context.exclusion(Self.key, "its status (\(h.statuses[i])) is in exclude_status"))
        }
    }

    public var recorded: RecordedValue { .list(statuses.map { .text($0.value) }) }
}

/// `max_distance_km: 1500`: pairs further apart than this (great-circle distance between
/// the two places' coordinates, bounds included) are never proposed.
public struct MaximumDistance: PairRule {
    public static let key = "max_distance_km"
    public static let summary = "pairs further apart than this many kilometres are never proposed"
    public let kilometres: Double

    public static func parse(_ value: Node, reader: inout YAMLReader) -> MaximumDistance? {
        reader.number(value, key, in: 1...40_000, expected: "a distance in km between 1 and 40000").map(MaximumDistance.init)
    }

    func distance(_ i: Int, _ j: Int, _ h: Registry, _ p: Registry) -> Double {
        ScoreModel.haversineKm(lat1: h.latitudes[i], lon1: h.longitudes[i], lat2: p.latitudes[j], lon2: p.longitudes[j])
    }

    public func allows(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> Bool {
        distance(i, j, hromadas, partners) <= kilometres
    }

    public func reason(_ i: Int, _ j: Int, hromadas: Registry, partners: Registry) -> String {
        "\(Decimals.fixed(distance(i, j, hromadas, partners), 0)) km apart, beyond \(Self.key) \(YAMLReader.shown(kilometres))"
    }

    public var recorded: RecordedValue { .number(kilometres) }
}
