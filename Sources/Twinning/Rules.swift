import Foundation
import Yams

/// A programme's rules (SPEC §2, §4), from a YAML file:
///
/// ```yaml
/// min_score: 0.35          # pairs scoring less are never proposed
/// eu_members_only: true    # partners outside the EU-27 are left out
/// forbidden:               # never propose these pairs
///   - [UA05020030000031457, PL_1261011]
/// locked:                  # always propose these pairs
///   - [UA05020010000053508, DE_08212000]
/// levels:                  # hromada level → partner levels it may pair with
///   village: [village, settlement]
///   settlement: [village, settlement, city]
/// country_caps:            # at most this many proposals with partners of a country
///   PL: 300
/// ```
/// (`region_caps` does the same per partner region; one of the two per file.)
public struct Rules: Sendable, Equatable {
    public struct PairRule: Sendable, Equatable {
        public let hromada: String
        public let partner: String
        public let line: Int
    }
    public var minScore: Double = 0
    public var euMembersOnly = false
    public var forbidden: [PairRule] = []
    public var locked: [PairRule] = []
    /// Allowed partner levels per hromada level; a level not listed may pair with any.
    public var levels: [Level: Set<Level>] = [:]
    /// Caps on proposals per partner country, or per partner region.
    public var caps: [String: Int] = [:]
    public var capsByRegion = false
    public var file = "(no rules)"

    public init() {}

    public static func load(path: String) throws(InputErrors) -> Rules {
        let (file, text) = try readText(path: path)
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> Rules {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "is not valid YAML: \(error)")])
        }
        var rules = Rules()
        rules.file = file
        guard let mapping = node?.mapping else {
            if node == nil { return rules }
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "expected a mapping of rule names")])
        }
        var errors: [InputError] = []
        func fail(_ n: Node, _ message: String) {
            errors.append(InputError(file: file, line: n.mark?.line ?? 0, column: n.mark?.column ?? 0, message: message))
        }
        func pairs(_ value: Node, _ name: String) -> [PairRule] {
            guard let list = value.sequence else { fail(value, "\(name) must be a list of [hromada id, partner id] pairs"); return [] }
            var out: [PairRule] = []
            for item in list {
                guard let pair = item.sequence, pair.count == 2, let h = pair[0].string, let p = pair[1].string else {
                    fail(item, "each \(name) entry must be [hromada id, partner id]")
                    continue
                }
                out.append(PairRule(hromada: h, partner: p, line: item.mark?.line ?? 0))
            }
            return out
        }
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "min_score":
                if let x = value.float.map({ Double($0) }) ?? value.int.map({ Double($0) }), (0...1).contains(x) {
                    rules.minScore = x
                } else { fail(value, "min_score must be a number between 0 and 1") }
            case "eu_members_only":
                if let b = value.bool { rules.euMembersOnly = b } else { fail(value, "eu_members_only must be true or false") }
            case "forbidden": rules.forbidden = pairs(value, "forbidden")
            case "locked": rules.locked = pairs(value, "locked")
            case "levels":
                guard let levels = value.mapping else { fail(value, "levels must map a hromada level to a list of partner levels"); continue }
                for (from, to) in levels {
                    guard let a = from.string.flatMap(Level.init(rawValue:)) else {
                        fail(from, "unknown level \"\(from.string ?? "")\"; expected village, settlement, city, region"); continue
                    }
                    let targets = (to.sequence ?? []).compactMap { n -> Level? in
                        if let l = n.string.flatMap(Level.init(rawValue:)) { return l }
                        fail(n, "unknown level \"\(n.string ?? "")\"; expected village, settlement, city, region"); return nil
                    }
                    rules.levels[a] = Set(targets)
                }
            case "country_caps", "region_caps":
                let byRegion = key.string == "region_caps"
                if !rules.caps.isEmpty && rules.capsByRegion != byRegion {
                    fail(key, "use country_caps or region_caps, not both: a partner can belong to one capped group only")
                    continue
                }
                rules.capsByRegion = byRegion
                guard let caps = value.mapping else { fail(value, "\(key.string!) must map a code to a whole number"); continue }
                for (code, cap) in caps {
                    guard let c = code.string, let k = cap.int, k >= 0 else {
                        fail(cap, "\(key.string!) entries must be CODE: whole number ≥ 0"); continue
                    }
                    rules.caps[c] = k
                }
            default:
                fail(key, "unknown rule \"\(key.string ?? "")\"; expected min_score, eu_members_only, forbidden, locked, levels, country_caps, region_caps")
            }
        }
        // Contradictions inside the file itself.
        let forbiddenLines = Dictionary(rules.forbidden.map { ("\($0.hromada)|\($0.partner)", $0.line) }, uniquingKeysWith: { a, _ in a })
        for rule in rules.locked {
            if let line = forbiddenLines["\(rule.hromada)|\(rule.partner)"] {
                errors.append(InputError(file: file, line: rule.line, column: 0,
                    message: "pair \(rule.hromada), \(rule.partner) is locked here and forbidden on line \(line): remove one of the two"))
            }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return rules
    }
}
