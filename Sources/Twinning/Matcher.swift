import Assignment
import Foundation

/// A hromada–partner pair by ids.
public struct IDPair: Hashable, Sendable, Comparable {
    public let hromada: String
    public let partner: String
    public init(_ hromada: String, _ partner: String) { self.hromada = hromada; self.partner = partner }
    public static func < (a: IDPair, b: IDPair) -> Bool { (a.hromada, a.partner) < (b.hromada, b.partner) }
}

/// Why a matching could not be made, in words a coordinator can act on.
public struct MatchError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The proposals of one matching run (SPEC §4–§5).
public struct MatchResult: Sendable {
    public struct Alternative: Sendable {
        public let partner: Int
        public let score: Double
        /// How much total score the programme loses, at least, by choosing this partner
        /// instead (the pair's reduced cost under the optimal duals).
        public let lossAtLeast: Double
    }
    public struct Proposal: Sendable {
        public let hromada: Int
        public let partner: Int
        public let breakdown: Breakdown
        /// Kept because it was accepted before or locked by the rules.
        public let locked: Bool
        public let alternatives: [Alternative]
    }
    public struct Unmatched: Sendable {
        public let hromada: Int
        public let wanted: Int
        public let got: Int
        public let reason: String
    }
    public let proposals: [Proposal]
    public let unmatched: [Unmatched]
    /// Hromadas that asked for partners (no existing EU partner, slots > 0).
    public let seeking: Int
    /// Hromadas left out because they already have a partner.
    public let alreadyPartnered: Int
    public let candidatePartners: Int
    public var total: Double { proposals.reduce(0) { $0 + $1.breakdown.score } }
    /// Seconds spent scoring and solving.
    public let scoringSeconds: Double
    public let solvingSeconds: Double
}

public enum Matcher {
    /// Proposes the partnerships that maximise the total score under the rules, exactly.
    ///
    /// Hromadas with an existing partner are left out unless they have accepted pairs;
    /// every other hromada wants its `slots`. Partners are the volunteers (and the EU-27
    /// only, if the rules say so), each carrying its `slots`. Existing and rejected pairs
    /// are never proposed, accepted and locked pairs always are, pairs below the minimum
    /// score never; a hromada may stay unmatched rather than get a worse pair.
    ///
    /// `incumbents` (pairs of ids proposed before) get `incumbencyBonus` added to their
    /// score in the optimisation, so proposals do not churn without cause; reported
    /// scores stay the plain ones.
    public static func match(hromadas: Registry, partners: Registry, ties: [Tie], rules: Rules = Rules(),
                             weights: Weights = .defaults, alternatives: Int = 3,
                             incumbents: Set<IDPair> = [], incumbencyBonus: Double = 0) throws(MatchError) -> MatchResult {
        let hIndex = hromadas.index(), pIndex = partners.index()
        // Locked pairs: accepted ties and the rules' locked list.
        var locked: [(h: Int, p: Int, source: String)] = []
        for t in ties where t.status == .accepted { locked.append((t.hromada, t.partner, "accepted in the ties file, line \(t.line)")) }
        for r in rules.locked {
            guard let h = hIndex[r.hromada], let p = pIndex[r.partner] else {
                throw MatchError(description: "\(rules.file):\(r.line): locked pair names an unknown id: "
                    + (hIndex[r.hromada] == nil ? "hromada \(r.hromada)" : "partner \(r.partner)"))
            }
            locked.append((h, p, "locked in \(rules.file), line \(r.line)"))
        }
        var forbidden: [Int: Set<Int>] = [:]   // hromada → partners never proposed
        var forbiddenWhy: [String: String] = [:]
        for t in ties where t.status != .accepted {
            forbidden[t.hromada, default: []].insert(t.partner)
            forbiddenWhy["\(t.hromada)|\(t.partner)"] = "\(t.status.rawValue) in the ties file, line \(t.line)"
        }
        for r in rules.forbidden {
            guard let h = hIndex[r.hromada], let p = pIndex[r.partner] else {
                throw MatchError(description: "\(rules.file):\(r.line): forbidden pair names an unknown id: "
                    + (hIndex[r.hromada] == nil ? "hromada \(r.hromada)" : "partner \(r.partner)"))
            }
            forbidden[h, default: []].insert(p)
            forbiddenWhy["\(h)|\(p)"] = "forbidden in \(rules.file), line \(r.line)"
        }
        for l in locked {
            if let why = forbiddenWhy["\(l.h)|\(l.p)"] {
                throw MatchError(description: "pair \(hromadas.ids[l.h]), \(partners.ids[l.p]) is \(l.source) but also \(why): "
                    + "remove one of the two")
            }
        }

        // Who takes part.
        let hasExisting = Set(ties.filter { $0.status == .existing }.map(\.hromada))
        var lockedPerHromada: [Int: Int] = [:]
        for l in locked { lockedPerHromada[l.h, default: 0] += 1 }
        let rows = (0..<hromadas.count).filter { i in
            hasExisting.contains(i) ? lockedPerHromada[i] != nil : hromadas.slots[i] > 0 || lockedPerHromada[i] != nil
        }
        let lockedPartners = Set(locked.map(\.p))
        let columns = (0..<partners.count).filter { j in
            lockedPartners.contains(j) || (partners.volunteers[j] && partners.slots[j] > 0
                && (!rules.euMembersOnly || partners.euMembers?[j] ?? true))
        }
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let h = hromadas.subset(rows), p = partners.subset(columns)

        // Scores of every participating pair, with BLAS.
        var tiedRegions: [Int: Set<String>] = [:]
        for t in ties where t.status == .existing {
            if let c = columnOf[t.partner] { tiedRegions[c, default: []].insert(hromadas.regions[t.hromada]) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, partnerTiedRegions: tiedRegions)
        let scores = p.count > 0 ? model.scores(columns: 0..<p.count) : []
        let scored = DispatchTime.now().uptimeNanoseconds

        // The rules as a mask.
        let n = h.count, m = p.count
        var allowed = [Bool](repeating: true, count: n * m)
        let lockedCells = Set(locked.map { rowOf[$0.h]! * m + columnOf[$0.p]! })
        for (r, i) in rows.enumerated() {
            let levels = rules.levels[hromadas.levels[i]]
            for (c, j) in columns.enumerated() {
                if let levels, !levels.contains(partners.levels[j]) { allowed[r * m + c] = false }
                if forbidden[i]?.contains(j) == true { allowed[r * m + c] = false }
                // Below the minimum score: never proposed (locked pairs excepted, by the solver).
                if Double(scores[r * m + c]) < rules.minScore && !lockedCells.contains(r * m + c) { allowed[r * m + c] = false }
            }
        }
        let demands = rows.map { i in hasExisting.contains(i) ? lockedPerHromada[i] ?? 0 : hromadas.slots[i] }
        // Caps: the partners of a capped country (or region) share its cap.
        let capCodes = rules.caps.keys.sorted()
        let capIndex = Dictionary(uniqueKeysWithValues: capCodes.enumerated().map { ($1, $0) })
        let groupOfColumn = columns.map { j in capIndex[rules.capsByRegion ? partners.regions[j] : partners.countries[j]] ?? -1 }
        var objective = scores
        if incumbencyBonus != 0 {
            for pair in incumbents {
                guard let i = hIndex[pair.hromada], let j = pIndex[pair.partner], let r = rowOf[i], let c = columnOf[j] else { continue }
                objective[r * m + c] += Float(incumbencyBonus)
            }
        }
        let problem = AssignmentProblem<Float>(
            rows: n, columns: m, values: objective, objective: .maximize, allowed: allowed,
            rowDemands: demands, columnCapacities: columns.map { partners.slots[$0] },
            // Partial matching that maximises the plain total: an unmatched slot is worth 0.
            locked: locked.map { Pair(rowOf[$0.h]!, columnOf[$0.p]!) }, threshold: 0,
            columnGroups: capCodes.isEmpty ? nil : groupOfColumn, groupCapacities: capCodes.map { rules.caps[$0]! })
        let solution: AssignmentSolution
        do { solution = try problem.solve() } catch {
            throw MatchError(description: explain(error, rows: rows, columns: columns, hromadas: hromadas, partners: partners,
                                                  locked: locked, rules: rules, capCodes: capCodes))
        }
        let solved = DispatchTime.now().uptimeNanoseconds

        // Proposals, explanations and alternatives.
        let lockedSet = Set(locked.map { "\($0.h)|\($0.p)" })
        var chosenBy = [Set<Int>](repeating: [], count: n)
        for pair in solution.pairs { chosenBy[pair.row].insert(pair.column) }
        var proposals: [MatchResult.Proposal] = []
        for pair in solution.pairs {
            let i = rows[pair.row], j = columns[pair.column]
            var options: [MatchResult.Alternative] = []
            if alternatives > 0 {
                var ranked: [(Int, Float)] = []
                for c in 0..<m where allowed[pair.row * m + c] && !chosenBy[pair.row].contains(c)
                    && Double(scores[pair.row * m + c]) >= rules.minScore {
                    ranked.append((c, scores[pair.row * m + c]))
                }
                ranked.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
                for (c, s) in ranked.prefix(alternatives) {
                    let reduced = solution.reducedCost(row: pair.row, column: c, value: Double(objective[pair.row * m + c]), maximize: true)
                    options.append(.init(partner: columns[c], score: Double(s), lossAtLeast: max(0, reduced)))
                }
            }
            proposals.append(.init(hromada: i, partner: j, breakdown: model.breakdown(hromada: pair.row, partner: pair.column),
                                   locked: lockedSet.contains("\(i)|\(j)"), alternatives: options))
        }
        var unmatched: [MatchResult.Unmatched] = []
        for (r, i) in rows.enumerated() where solution.unmatchedDemand[r] > 0 {
            let allowedCount = (0..<m).filter { allowed[r * m + $0] }.count
            let goodCount = (0..<m).filter { allowed[r * m + $0] && Double(scores[r * m + $0]) >= rules.minScore }.count
            let reason = allowedCount == 0 ? "the rules allow no partner for it"
                : goodCount == 0 ? "no allowed partner scores at least min_score \(rules.minScore)"
                : rules.caps.isEmpty ? "its acceptable partners are all taken by better-scoring pairs"
                : "its acceptable partners are all taken by better-scoring pairs or capped"
            unmatched.append(.init(hromada: i, wanted: demands[r], got: demands[r] - solution.unmatchedDemand[r], reason: reason))
        }
        return MatchResult(proposals: proposals, unmatched: unmatched, seeking: rows.count,
                           alreadyPartnered: hasExisting.count, candidatePartners: columns.count,
                           scoringSeconds: Double(scored - start) / 1e9, solvingSeconds: Double(solved - scored) / 1e9)
    }

    private static func explain(_ error: AssignmentError, rows: [Int], columns: [Int], hromadas: Registry, partners: Registry,
                                locked: [(h: Int, p: Int, source: String)], rules: Rules, capCodes: [String]) -> String {
        switch error.code {
        case let .lockedExceedsGroupSlots(group, count, slots):
            let code = capCodes[group], key = rules.capsByRegion ? "region_caps" : "country_caps"
            return "\(count) locked pairs have partners in \(code) but \(rules.file) caps \(code) at \(slots): "
                + "raise the cap in \(key) or unlock pairs"
        case let .lockedExceedsRowSlots(row, count, slots):
            let i = rows[row]
            let sources = locked.filter { $0.h == i }.map { "\(partners.ids[$0.p]) (\($0.source))" }
            return "hromada \(hromadas.ids[i]) (\(hromadas.latinNames[i])) has \(count) locked pairs but wants \(slots) "
                + "partner(s): \(sources.joined(separator: "; ")); raise its slots or unlock one"
        case let .lockedExceedsColumnSlots(column, count, slots):
            let j = columns[column]
            let sources = locked.filter { $0.p == j }.map { "\(hromadas.ids[$0.h]) (\($0.source))" }
            return "partner \(partners.ids[j]) (\(partners.latinNames[j])) has \(count) locked pairs but only \(slots) "
                + "slot(s): \(sources.joined(separator: "; ")); raise its slots or unlock one"
        case let .lockedForbidden(pair):
            return "pair \(hromadas.ids[rows[pair.row]]), \(partners.ids[columns[pair.column]]) is locked but its level "
                + "combination is not allowed by the rules' levels: allow it or unlock the pair"
        default:
            return error.description
        }
    }
}
