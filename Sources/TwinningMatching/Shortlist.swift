import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

extension MatchInstance {
    /// The partners taking part, by registry index (those in only for their locked pairs
    /// included: the pair filter keeps them out of every other pair).
    public var candidateColumns: [Int] { (0..<partners.count).filter { isCandidate[$0] } }

    /// The `top` best partners each of `hromadas` may be proposed under the rules (levels,
    /// forbidden pairs, min_likelihood and min_fit, partners the rules leave out), best first, ties to the
    /// lower index; locked pairs included. One streaming pass over the candidate partners,
    /// as matching makes. A hromada the rules exclude gets its list all the same: the caller
    /// says why it takes no part.
    public func shortlist(_ hromadas: [Int], top: Int) -> [[Candidate]] {
        let columns = candidateColumns
        guard !hromadas.isEmpty, !columns.isEmpty, top > 0 else { return hromadas.map { _ in [] } }
        // No list is longer than the partners there are, whatever `top` asks (up to Int.max).
        let top = min(top, columns.count)
        let model = scoreModel(rows: hromadas, columns: columns)
        let filter = PairFilter(self, rows: hromadas, columns: columns, excludingLocked: false)
        let lists = CandidateLists(model: model, filter: filter, keep: hromadas.map { _ in top })
        // With capped groups the lists hold two pools of `top`: the best `top` of both.
        return lists.lists.map { list in list.prefix(top).map { Candidate(partner: columns[$0.partner], score: $0.score) } }
    }

    /// The same matching with `pair` locked in (as a coordinator accepting it would): what
    /// forcing a pair costs is the difference of the two optima.
    public func locking(_ pair: IndexPair) -> MatchInstance {
        var r = restrictions
        r.lock(pair, Provenance("locked", .code))
        return MatchInstance(hromadas: hromadas, partners: partners, ties: ties, rules: rules, weights: weights,
                             restrictions: r, pool: pool, incumbents: incumbents, incumbencyBonus: incumbencyBonus)
    }
}

extension MatchInstance {
    /// A score model of `hromadas` (row `k` is `hromadas[k]`) against every partner (by
    /// registry index), to explain any of their pairs. Made once for all of them: it
    /// prepares every partner's features.
    public func explainer(hromadas rows: [Int]) -> ScoreModel {
        ScoreModel(hromadas: hromadas, partners: partners, weights: weights, context: context, rows: rows)
    }

    /// Why a pair is not proposed for a likelihood or fit under the rules' minimum (locked
    /// pairs are exempt), or nil.
    public func belowMinimum(_ b: Breakdown, _ pair: IndexPair) -> Exclusion? {
        restrictions.lockSource(pair) == nil ? restrictions.belowMinimum(b) : nil
    }
}
