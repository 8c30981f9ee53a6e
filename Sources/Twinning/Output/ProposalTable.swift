import Foundation

/// The outcome of a matching, with every id resolved to names, ready to be rendered:
/// proposals, their alternatives, hromadas left short and why, a summary, and what the
/// run used (inputs, weights, rules). CSV, JSON and the HTML report are all written from
/// this one table, so they carry the same fields.
public struct ProposalTable: Sendable {
    public struct Place: Sendable, Encodable {
        public let id: String
        public let name: String
        public let nameLatin: String
        /// Oblast of a hromada, NUTS 3 region of a partner.
        public let region: String
        public let country: String
        public let level: Level
        public let population: Double

        enum CodingKeys: String, CodingKey { case id, name, nameLatin = "name_latin", region, country, level, population }
    }

    public struct Alternative: Sendable {
        public let partner: Place
        public let score: Double
        public let lossAtLeast: Double
    }

    public struct Row: Sendable {
        public let hromada: Place
        public let partner: Place
        /// `proposed`, or `locked` for pairs a coordinator accepted or the rules lock.
        public let status: String
        /// Where a locked pair was locked.
        public let lockedBy: String?
        public let breakdown: Breakdown
        public let alternatives: [Alternative]
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
    }

    public let rows: [Row]
    public let unmatched: [Unmatched]
    public let summary: Summary
    public let weights: Weights
    public let rules: Rules
    /// Role (`hromadas`, `partners`, `ties`, `rules`, `weights`) → path as given.
    public let inputs: [String: String]

    public init(result: MatchResult, instance: MatchInstance, inputs: [String: String]) {
        let h = instance.hromadas, p = instance.partners
        func place(_ r: Registry, _ i: Int) -> Place {
            Place(id: r.ids[i], name: r.names[i], nameLatin: r.latinNames[i], region: r.regions[i], country: r.countries[i],
                  level: r.levels[i], population: r.populations[i])
        }
        rows = result.proposals.map { proposal in
            Row(hromada: place(h, proposal.hromada), partner: place(p, proposal.partner),
                status: proposal.lockedBy == nil ? "proposed" : "locked", lockedBy: proposal.lockedBy?.description,
                breakdown: proposal.breakdown,
                alternatives: proposal.alternatives.map { Alternative(partner: place(p, $0.partner), score: $0.score, lossAtLeast: $0.lossAtLeast) })
        }
        unmatched = result.unmatched.map { Unmatched(hromada: place(h, $0.hromada), wanted: $0.wanted, got: $0.got, reason: $0.reason) }
        summary = Summary(proposals: result.proposals.count, hromadasSeeking: result.seeking,
                          alreadyPartnered: result.alreadyPartnered, candidatePartners: result.candidatePartners,
                          totalScore: result.total)
        weights = instance.weights
        rules = instance.rules
        self.inputs = inputs
    }
}
