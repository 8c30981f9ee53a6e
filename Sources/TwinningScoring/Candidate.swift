import Foundation
import TwinningShared
import TwinningInput

/// A scored partner of one hromada.
public struct Candidate: Sendable, Equatable {
    public let partner: Int
    public let score: Float
    /// What candidates are ranked by: the score, plus an incumbency bonus in the batch.
    public let rank: Float
    public init(partner: Int, score: Float, rank: Float? = nil) {
        self.partner = partner
        self.score = score
        self.rank = rank ?? score
    }
    /// Better: higher rank, then lower index.
    package static func better(_ a: Candidate, _ b: Candidate) -> Bool {
        a.rank > b.rank || (a.rank == b.rank && a.partner < b.partner)
    }
}
