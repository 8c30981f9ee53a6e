import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// Why a matching could not be made, in words a coordinator can act on.
public struct MatchError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is; cases may grow, so switch with a default.
    public enum Code: Sendable, Equatable {
        /// Locked pairs need more slots than a hromada or partner has.
        case lockedExceedsSlots
        /// Locked pairs exceed a group's cap.
        case lockedExceedsCap
        /// The rules' minimums per group cannot all be met.
        case minimumsUnmet
        /// Anything else the solver refused (a bug if it ever happens on valid inputs).
        case unsolvable
    }
    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// The proposals of one matching run.
public struct MatchResult: Sendable {
    public struct Alternative: Sendable {
        public let partner: Int
        public let score: Double
        /// How much total score the programme loses, at least, by choosing this partner
        /// instead (the pair's reduced cost under the optimal duals).
        public let lossAtLeast: Double
        /// The hromadas the partner is proposed to, when it has no slot left: who would
        /// have to give it up.
        public let heldBy: [Int]
    }

    public struct Proposal: Sendable {
        public let pair: IndexPair
        public let breakdown: Breakdown
        /// Where the pair was locked (accepted by a coordinator or locked by the rules),
        /// or nil for a proposal the optimisation chose.
        public let lockedBy: Provenance?
        public let alternatives: [Alternative]
        public var hromada: Int { pair.hromada }
        public var partner: Int { pair.partner }
    }

    public struct Unmatched: Sendable {
        public let hromada: Int
        public let wanted: Int
        public let got: Int
        public let reason: String
    }

    /// Seconds spent in each stage, and what price-out did.
    public struct Timings: Sendable {
        /// The streaming pass that scores every pair and keeps the candidate lists.
        public var scoring = 0.0
        /// Solving the sparse problem, first and after each price-out round.
        public var solving = 0.0
        /// Price-out passes over the pairs the bounds could not settle.
        public var pricing = 0.0
        public var pricingRounds = 0
        /// Hromadas whose pairs price-out scored again (the others were settled by a bound
        /// or from their reserve), over all rounds.
        public var pricingRowsScored = 0
        /// Pairs price-out added to the lists.
        public var pairsAdded = 0
        /// Rounds after which the enlarged lists were solved cold rather than warm (the
        /// warm start would have freed nearly every unit from far-off duals:
        /// `SparseAssignment.add(_:)` in Assignment).
        public var coldResolves = 0
    }

    public let proposals: [Proposal]
    public let unmatched: [Unmatched]
    /// Hromadas that asked for partners (or have locked pairs).
    public let seeking: Int
    /// Hromadas left out because they already have a partner.
    public let alreadyPartnered: Int
    public let candidatePartners: Int
    /// Things a coordinator should look at that do not stop the matching: locked pairs
    /// below min_likelihood or min_fit, or naming a partner or hromada the rules leave out.
    public let warnings: [String]
    public let timings: Timings

    public var total: Double { proposals.reduce(0) { $0 + $1.breakdown.score } }
}
