import Foundation
import Twinning

/// What changed between two runs of a scenario.
public struct Change: Sendable, Equatable {
    public enum Kind: String, Sendable { case new, dropped, kept }
    public let kind: Kind
    public let pair: IDPair
    public let reason: String
    /// Whether a coordinator's decision made it (accepted, rejected): listed first.
    public let decided: Bool

    public init(kind: Kind, pair: IDPair, reason: String, decided: Bool = false) {
        self.kind = kind; self.pair = pair; self.reason = reason; self.decided = decided
    }

    /// The order changes are listed in: coordinators' decisions first, then new, then
    /// dropped proposals, each by pair.
    public static func listed(_ changes: [Change]) -> [Change] {
        changes.filter { $0.kind != .kept }.sorted {
            ($0.decided ? 0 : 1, $0.kind == .new ? 0 : 1, $0.pair) < ($1.decided ? 0 : 1, $1.kind == .new ? 0 : 1, $1.pair)
        }
    }
}

/// Pairs of ids as coordinators read them, `UA… (Агрономічна · Ahronomichna) – PL_… (Kunów)`:
/// ids the registries do not have are shown alone.
public struct PairLabels: Sendable {
    let hromadas: Registry, partners: Registry
    let hromadaRow: [String: Int], partnerRow: [String: Int]

    public init(hromadas: Registry, partners: Registry) {
        self.hromadas = hromadas; self.partners = partners
        hromadaRow = hromadas.index(); partnerRow = partners.index()
    }

    public func hromada(_ id: String) -> String { hromadaRow[id].map(hromadas.labelInBothScripts) ?? id }
    public func partner(_ id: String) -> String { partnerRow[id].map(partners.labelInBothScripts) ?? id }
    public func callAsFunction(_ pair: IDPair) -> String { "\(hromada(pair.hromada)) – \(partner(pair.partner))" }
}

public enum Diff {
    /// New, dropped and kept proposals, with reasons where known.
    public static func changes(previous: [RunStore.StoredProposal], current: [RunStore.StoredProposal],
                               decisions: [RunStore.Decision], previousHromadas: Set<String>, previousPartners: Set<String>,
                               currentHromadas: Set<String>, currentPartners: Set<String>) -> [Change] {
        let before = Dictionary(uniqueKeysWithValues: previous.map { ($0.pair, $0.score) })
        let after = Dictionary(uniqueKeysWithValues: current.map { ($0.pair, $0.score) })
        let decided = Dictionary(decisions.map { (IDPair($0.hromada, $0.partner), $0.kind) }, uniquingKeysWith: { _, b in b })
        var out: [Change] = []
        for pair in Set(before.keys).union(after.keys).sorted() {
            switch (before[pair], after[pair]) {
            case let (old?, new?):
                out.append(Change(kind: .kept, pair: pair, reason: abs(old - new) > 1e-9
                    ? String(format: "score changed %.4f → %.4f", old, new) : "unchanged"))
            case (nil, _?):
                let reason: String
                if decided[pair] == .accept { reason = "accepted by a coordinator" }
                else if !previousHromadas.contains(pair.hromada) { reason = "new sign-up: hromada \(pair.hromada)" }
                else if !previousPartners.contains(pair.partner) { reason = "new sign-up: partner \(pair.partner)" }
                else { reason = "the optimum moved (scores, decisions or other pairs changed)" }
                out.append(Change(kind: .new, pair: pair, reason: reason, decided: decided[pair] == .accept))
            case (_?, nil):
                let reason: String
                if decided[pair] == .reject { reason = "rejected by a coordinator" }
                else if !currentHromadas.contains(pair.hromada) { reason = "hromada \(pair.hromada) no longer takes part" }
                else if !currentPartners.contains(pair.partner) { reason = "partner \(pair.partner) no longer takes part" }
                else { reason = "the optimum moved (scores, decisions or other pairs changed)" }
                out.append(Change(kind: .dropped, pair: pair, reason: reason, decided: decided[pair] == .reject))
            default: break
            }
        }
        return out
    }
}
