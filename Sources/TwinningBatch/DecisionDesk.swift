import Foundation
import Twinning

/// Coordinators' decisions checked before they are recorded: each side named by id or by
/// name (in either script, as `explain` takes them) and stored by its registry id, so the
/// same pair is always the same record; existing partnerships, accepts beyond a hromada's
/// or a partner's slots, and notes holding control characters refused; what changes
/// nothing said so; a decision replacing another says which. Either every decision is
/// recorded or none.
public enum DecisionDesk {
    /// One decision as asked for, with where it was asked (`file.csv:4: `, or empty).
    public struct Request: Sendable {
        public let hromada: String
        public let partner: String
        public let kind: RunStore.Decision.Kind
        public let note: String
        public let origin: String
        /// An accept of a pair the job's rules leave out, made deliberately (`--override-rules`).
        public let overrideRules: Bool
        public init(hromada: String, partner: String, kind: RunStore.Decision.Kind, note: String, origin: String = "",
                    overrideRules: Bool = false) {
            self.hromada = hromada; self.partner = partner; self.kind = kind; self.note = note; self.origin = origin
            self.overrideRules = overrideRules
        }
    }

    /// What recording did: the decisions recorded and a line for each request.
    public struct Outcome: Sendable {
        public let recorded: [RunStore.Decision]
        public let lines: [String]
    }

    /// Checks every request against the registries and ties and the decisions in force,
    /// then records those that change something, in one transaction.
    /// - Parameters:
    ///   - requests: the decisions asked for, in order.
    ///   - decidedAt: the time stamp they are recorded with.
    ///   - store: the job's run store.
    ///   - hromadas: the job's hromadas, whose ids and names requests may use.
    ///   - partners: the job's partners, likewise.
    ///   - ties: the job's ties: existing partnerships cannot be decided on.
    ///   - leftOutByRules: why the job's rules leave a pair out (in one of its scenarios),
    ///     or nil: an accept of such a pair needs `overrideRules`, and records it.
    ///   - skippingInvalid: record the requests that are still valid and say why each
    ///     other one is skipped (decisions made on another run's proposals), rather than
    ///     recording none. Accepts beyond slots still stop everything.
    public static func record(_ requests: [Request], decidedAt: String, store: RunStore, hromadas: Registry, partners: Registry,
                              ties: [Tie], leftOutByRules: (IndexPair) -> String? = { _ in nil },
                              skippingInvalid: Bool = false) throws(BatchError) -> Outcome {
        let resolver = IDResolver(hromadas: hromadas, partners: partners)
        let labels = PairLabels(hromadas: hromadas, partners: partners)
        let existing = Dictionary(ties.filter { $0.status == .existing }.map { ($0.pair, $0.source) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = [], resolved: [(request: Request, pair: IDPair, rows: IndexPair)] = []
        for r in requests {
            // Names are looked up (with suggestions) for the first few problems only: a long file of unknown ids stays fast.
            let lookUp = problems.count < 10
            let h = lookUp ? resolver.hromada(named: r.hromada) : resolver.hromada(r.hromada, suggest: false)
            let p = lookUp ? resolver.partner(named: r.partner) : resolver.partner(r.partner, suggest: false)
            if case let .failure(message) = h { problems.append(r.origin + message) }
            if case let .failure(message) = p { problems.append(r.origin + message) }
            if let bad = r.note.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
                problems.append(r.origin + "the note holds a control character (U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(4))): "
                                + "write it as plain text")
            }
            guard case let .success(i) = h, case let .success(j) = p else { continue }
            let pair = IDPair(hromadas.ids[i], partners.ids[j])
            if let source = existing[IndexPair(i, j)] {
                problems.append(r.origin + "\(labels(pair)) is an existing partnership (\(source)): it is never proposed, "
                                + "so there is nothing to \(r.kind.rawValue)")
                continue
            }
            if r.kind == .accept, !r.overrideRules, let why = leftOutByRules(IndexPair(i, j)) {
                problems.append(r.origin + "\(labels(pair)): \(why); accept it all the same with --override-rules (recorded as such)")
                continue
            }
            resolved.append((r, pair, IndexPair(i, j)))
        }
        var lines: [String] = []
        if skippingInvalid {
            lines = problems.map { "skipped: " + $0 }
            problems = []
        }
        if !problems.isEmpty { throw BatchError(.input, problems.joined(separator: "\n") + "\nnothing recorded") }

        var inForce = Dictionary(try store.decisions().map { (IDPair($0.hromada, $0.partner), $0) }, uniquingKeysWith: { _, b in b })
        var recorded: [RunStore.Decision] = []
        for (r, pair, rows) in resolved {
            let current = inForce[pair]
            switch (r.kind, current) {
            case (.revoke, nil):
                lines.append("\(labels(pair)): no decision in force, nothing to revoke")
            case let (kind, current?) where current.kind == kind:
                lines.append("\(labels(pair)): already \(kind.past) on \(current.decidedAt)")
            default:
                let overrides = r.kind == .accept && r.overrideRules && leftOutByRules(rows) != nil
                let decision = RunStore.Decision(hromada: pair.hromada, partner: pair.partner, kind: r.kind, note: r.note, decidedAt: decidedAt,
                                                 overridesRules: overrides)
                recorded.append(decision)
                inForce[pair] = r.kind == .revoke ? nil : decision
                lines.append("\(labels(pair)): \(r.kind.past)" + (overrides ? " overriding the rules" : "")
                             + (current.map { ", replacing its \($0.kind.noun) of \($0.decidedAt)" } ?? ""))
            }
        }
        problems += slotProblems(accepted: inForce.values.filter { $0.kind == .accept }, hromadas: hromadas, partners: partners,
                                 ties: ties, labels: labels)
        if !problems.isEmpty { throw BatchError(.input, problems.joined(separator: "\n") + "\nnothing recorded") }
        if !recorded.isEmpty { try store.record(recorded) }
        return Outcome(recorded: recorded, lines: lines)
    }

    /// Accepted pairs are kept in every run: no more for a hromada than the partners it
    /// wants, none for a partner beyond its slots (the matching could not keep them all).
    static func slotProblems(accepted: [RunStore.Decision], hromadas: Registry, partners: Registry, ties: [Tie],
                             labels: PairLabels) -> [String] {
        var problems: [String] = []
        let index = (h: hromadas.index(), p: partners.index())
        var existingCount: [Int: Int] = [:]
        for t in ties where t.status == .existing { existingCount[t.hromada, default: 0] += 1 }
        for (hromada, pairs) in Dictionary(grouping: accepted, by: \.hromada).sorted(by: { $0.key < $1.key }) {
            guard let i = index.h[hromada] else { continue }
            let has = existingCount[i] ?? 0
            guard hromadas.seeking[i] ?? (has == 0) else { continue }   // not seeking: it takes part for its accepted pairs alone
            let wanted = max(0, hromadas.slots[i] - has)
            if pairs.count > wanted {
                problems.append("\(labels.hromada(hromada)) wants \(wanted) partner\(wanted == 1 ? "" : "s")"
                    + (has > 0 ? " more (slots \(hromadas.slots[i]), \(has) existing)" : "") + " but would have \(pairs.count) accepted: "
                    + pairs.map { labels.partner($0.partner) }.sorted().joined(separator: ", ") + "; revoke one first")
            }
        }
        for (partner, pairs) in Dictionary(grouping: accepted, by: \.partner).sorted(by: { $0.key < $1.key }) {
            guard let j = index.p[partner], pairs.count > partners.slots[j] else { continue }
            problems.append("\(labels.partner(partner)) has \(partners.slots[j]) slot\(partners.slots[j] == 1 ? "" : "s") but would have "
                + "\(pairs.count) accepted: " + pairs.map { labels.hromada($0.hromada) }.sorted().joined(separator: ", ") + "; revoke one first")
        }
        return problems
    }
}

extension RunStore.Decision.Kind {
    /// `accepted`, `rejected`, `revoked`.
    public var past: String {
        switch self {
        case .accept: return "accepted"
        case .reject: return "rejected"
        case .revoke: return "revoked"
        }
    }

    /// `acceptance`, `rejection`, `revocation`.
    public var noun: String {
        switch self {
        case .accept: return "acceptance"
        case .reject: return "rejection"
        case .revoke: return "revocation"
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
