import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// Why a pair is not proposed, exactly: who gets what in the optimum of the inputs, and,
/// when the pair is not in it, what choosing it instead costs — the matching solved again
/// with the pair locked in, as a coordinator accepting it would. `explain HROMADA PARTNER`
/// prints this.
public struct WhyNot: Sendable {
    /// A hromada whose partners differ between the two optima.
    public struct Change: Sendable, Equatable {
        public let hromada: Int
        public let before: [Int]
        public let after: [Int]
    }
    /// What forcing the pair in does.
    public enum Forced: Sendable {
        /// The pair is in the optimum: it is proposed.
        case proposed
        /// It cannot be forced in (slots, caps or minimums): why.
        case impossible(String)
        /// The total falls from `from` to `to`; the hromadas whose partners change.
        case costs(from: Double, to: Double, changes: [Change])
    }

    public let pair: IndexPair
    /// The hromada's partners in the optimum (partner rows), and the partner's hromadas.
    public let partnersOfHromada: [Int]
    public let hromadasOfPartner: [Int]
    public let forced: Forced

    /// The loss of total score when the pair is forced in (0 when it is proposed).
    public var loss: Double {
        if case let .costs(from, to, _) = forced { return max(0, from - to) }
        return 0
    }

    public init(_ pair: IndexPair, in instance: MatchInstance) throws(MatchError) {
        self.pair = pair
        let optimum = try Matcher.match(instance, alternatives: 0)
        let pairs = Set(optimum.proposals.map(\.pair))
        partnersOfHromada = Self.partners(of: pair.hromada, in: pairs)
        hromadasOfPartner = pairs.filter { $0.partner == pair.partner }.map(\.hromada).sorted()
        if pairs.contains(pair) {
            forced = .proposed
            return
        }
        let locked: MatchResult
        do { locked = try Matcher.match(instance.locking(pair), alternatives: 0) } catch {
            forced = .impossible(error.description)
            return
        }
        let after = Set(locked.proposals.map(\.pair))
        let changed = Set(pairs.symmetricDifference(after).map(\.hromada)).sorted()
        forced = .costs(from: optimum.total, to: locked.total, changes: changed.map {
            Change(hromada: $0, before: Self.partners(of: $0, in: pairs), after: Self.partners(of: $0, in: after))
        })
    }

    static func partners(of i: Int, in set: Set<IndexPair>) -> [Int] { set.filter { $0.hromada == i }.map(\.partner).sorted() }
}
