import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// The outcome of a matching with every id resolved to names in both scripts, ready to be
/// rendered: proposals, their alternatives (who holds each), hromadas left short and why,
/// a summary, warnings, and what the run used (inputs, weights, rules). The CSV files, the
/// JSON and the HTML report are all written from this one table, so they carry the same
/// fields.
public struct ProposalTable: Sendable {
    /// A hromada or partner as outputs show it.
    public struct Place: Sendable, Hashable {
        public let id: String
        /// In its own script (Ukrainian, Greek, Bulgarian, …).
        public let name: String
        /// In Latin letters.
        public let nameLatin: String
        /// Oblast of a hromada, NUTS 3 region of a partner.
        public let region: String
        public let country: String
        public let level: Level
        public let population: Double
        public let latitude: Double
        public let longitude: Double
        /// Contact details from a sign-ups overlay (empty without); written only with `--contacts`.
        public let contacts: String
        /// A partner's `volunteer` flag: whether it signed up (`--candidates all` proposes
        /// partners that did not, to invite).
        public let volunteer: Bool

        public init(_ r: Registry, _ i: Int) {
            id = r.ids[i]; name = r.names[i]; nameLatin = r.latinNames[i]; region = r.regions[i]; country = r.countries[i]
            level = r.levels[i]; population = r.populations[i]; latitude = r.latitudes[i]; longitude = r.longitudes[i]
            contacts = r.contacts[i] ?? ""
            volunteer = r.volunteers[i]
        }
    }

    /// How a proposal came about.
    public enum Status: String, Sendable, CaseIterable {
        /// Chosen by the optimisation.
        case proposed
        /// Locked by the rules file.
        case locked
        /// Accepted by a coordinator (a decision or an `accepted` tie).
        case accepted
    }

    public struct Proposal: Sendable {
        public let hromada: Place
        public let partner: Place
        public let status: Status
        /// Where a locked or accepted pair was fixed.
        public let lockedBy: String?
        public let breakdown: Breakdown
    }

    /// One alternative of a proposal's hromada: a partner it did not get.
    public struct Alternative: Sendable {
        public let hromada: Place
        /// 1 for the best-scoring alternative.
        public let rank: Int
        public let partner: Place
        public let score: Double
        /// Total score the programme loses, at least, by choosing it instead.
        public let lossAtLeast: Double
        /// The hromadas the partner is proposed to when it has no slot left.
        public let heldBy: [Place]
    }

    public struct Unmatched: Sendable {
        public let hromada: Place
        public let wanted: Int
        public let got: Int
        public let reason: String
    }

    public struct Summary: Sendable {
        public let proposals: Int
        public let hromadasSeeking: Int
        public let alreadyPartnered: Int
        public let candidatePartners: Int
        public let totalScore: Double
        /// Which partners took part: the volunteers, or all (`--candidates all`).
        public let candidates: CandidatePool
    }

    public let proposals: [Proposal]
    public let alternatives: [Alternative]
    public let unmatched: [Unmatched]
    public let summary: Summary
    public let warnings: [String]
    public let weights: Weights
    public let rules: Rules
    /// Role (`hromadas`, `partners`, `ties`, `rules`, `weights`, `decisions`) → path as
    /// given and SHA-256.
    public let inputs: [String: InputRecord]
    /// Credits the inputs' sources ask for, carried into every output.
    public let attribution: String?
    /// Whether the tables carry the contact details of sign-ups (personal data: `--contacts`).
    public let contacts: Bool
    /// The partner regions the tables name (NUTS 3 codes), each with the Latin name of its
    /// most populous place in the partner registry: the registry carries region codes, not
    /// region names, so a reader is told where `PL213` is by "around Kraków".
    public let regionLargestPlaces: [String: String]

    public init(result: MatchResult, instance: MatchInstance, inputs: [String: InputRecord], attribution: String? = nil,
                contacts: Bool = false) {
        self.contacts = contacts
        let h = instance.hromadas, p = instance.partners
        var alternatives: [Alternative] = []
        proposals = result.proposals.map { proposal in
            let hromada = Place(h, proposal.hromada)
            for (k, a) in proposal.alternatives.enumerated() {
                alternatives.append(Alternative(hromada: hromada, rank: k + 1, partner: Place(p, a.partner), score: a.score,
                                                lossAtLeast: a.lossAtLeast, heldBy: a.heldBy.map { Place(h, $0) }))
            }
            let status: Status = switch proposal.lockedBy?.origin {
            case nil: .proposed
            case .decision?: .accepted
            case .file?, .code?: proposal.lockedBy!.verb == "accepted" ? .accepted : .locked
            }
            return Proposal(hromada: hromada, partner: Place(p, proposal.partner), status: status,
                            lockedBy: proposal.lockedBy?.description, breakdown: proposal.breakdown)
        }
        self.alternatives = alternatives
        unmatched = result.unmatched.map { Unmatched(hromada: Place(h, $0.hromada), wanted: $0.wanted, got: $0.got, reason: $0.reason) }
        summary = Summary(proposals: result.proposals.count, hromadasSeeking: result.seeking,
                          alreadyPartnered: result.alreadyPartnered, candidatePartners: result.candidatePartners,
                          totalScore: result.total, candidates: instance.pool)
        warnings = result.warnings
        weights = instance.weights
        rules = instance.rules
        self.inputs = inputs
        self.attribution = attribution
        let named = Set(proposals.map(\.partner.region) + alternatives.map(\.partner.region)).subtracting([""])
        regionLargestPlaces = Self.largestPlaces(of: named, in: p)
    }

    /// For each region of `regions`, the Latin name of its most populous place in `registry`
    /// (on equal populations, the first in registry order).
    static func largestPlaces(of regions: Set<String>, in registry: Registry) -> [String: String] {
        var largest: [String: Int] = [:]
        for i in registry.ids.indices where regions.contains(registry.regions[i]) {
            let region = registry.regions[i]
            if let k = largest[region], registry.populations[k] >= registry.populations[i] { continue }
            largest[region] = i
        }
        return largest.mapValues { registry.latinNames[$0].isEmpty ? registry.names[$0] : registry.latinNames[$0] }
    }
}
