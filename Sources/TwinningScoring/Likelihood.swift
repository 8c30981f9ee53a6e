import Foundation
import TwinningShared
import TwinningInput

/// The components' score on a scale with a meaning: the share of known partnerships whose
/// own components' score is lower. A likelihood of 0.80 says the pair looks more like the
/// partnerships that really formed than 80 % of them do; 0.05, that 95 % of real twin
/// pairs look more typical. It is a monotone transform of the components' score, so it
/// ranks pairs exactly as that score does, and it is calibrated: a real partnership not
/// among the reference pairs (held out) is equally likely to fall in any decile, which
/// `twinning tune` checks fold by fold.
///
/// The reference pairs are the known ties the model's ``ScoreContext`` learns from, each
/// scored as any other pair is (its hromada's own ties never count for it), with the
/// model's weights; a pair exactly as typical as a reference pair counts it half.
public struct LikelihoodScale: Sendable, Equatable {
    /// The reference pairs' components' scores, ascending.
    public let reference: [Double]

    public init(reference scores: [Double]) {
        reference = scores.sorted()
    }

    /// The share of reference pairs scoring less than `componentScore` (ties count half), in [0, 1].
    public func value(_ componentScore: Double) -> Double {
        guard !reference.isEmpty else { return 0 }
        let below = firstIndex { $0 >= componentScore }, upTo = firstIndex { $0 > componentScore }
        return (Double(below) + Double(upTo - below) / 2) / Double(reference.count)
    }

    /// The least components' score whose likelihood is at least `t`: the scale rises only
    /// at the reference scores, so it is one of them or the next double above one
    /// (−∞ when every score reaches `t`, +∞ when none does).
    public func threshold(_ t: Double) -> Double {
        if value(-.greatestFiniteMagnitude) >= t { return -.infinity }
        for r in reference {
            if value(r) >= t { return r }
            if value(r.nextUp) >= t { return r.nextUp }
        }
        return .infinity
    }

    /// The first index whose reference score satisfies `test` (monotone in the scores).
    private func firstIndex(where test: (Double) -> Bool) -> Int {
        var low = 0, high = reference.count
        while low < high {
            let mid = (low + high) / 2
            if test(reference[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

extension ScoreModel {
    /// The likelihood scale of `weights` made of the known ties of `context`, or nil when
    /// it knows none: each tie scored by a model of the ties' hromadas against their partners.
    public static func likelihoodScale(hromadas: Registry, partners: Registry, weights: Weights, context: ScoreContext) -> LikelihoodScale? {
        let ties = context.ties
        guard !ties.isEmpty else { return nil }
        let rows = Array(Set(ties.map(\.hromada))).sorted(), columns = Array(Set(ties.map(\.partner))).sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let model = ScoreModel(hromadas: hromadas, partners: partners, weights: weights, context: context, rows: rows, columns: columns,
                               likelihood: false)
        return LikelihoodScale(reference: ties.map { model.componentScore(hromada: rowOf[$0.hromada]!, partner: columnOf[$0.partner]!) })
    }
}
