import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// What each family of the model's components adds, held out: the model refitted on
/// every fold without the family, against the whole model on the same folds. A
/// researcher who adds a component (one case of `ScoreComponent` in the model) sees its
/// row here after one `twinning tune --ablation`.
public struct AblationRow: Sendable {
    /// The family left out (`ScoreComponent.family`) and its components.
    public let family: String
    public let components: [ScoreComponent]
    /// The model without the family: held-out hromadas hit@10 and hit@10 over the folds.
    public let hromadaHitAt10: TuneReport.Spread
    public let hitAt10: TuneReport.Spread
    /// Per fold: the whole model's hromadas hit@10 minus this one's (what the family adds).
    public let gain: [Double]
}

extension Tuner {
    /// The ablation table: for each family of the model's components, the model without it,
    /// fitted and measured on the folds of ``tune(hromadas:partners:truth:base:seed:folds:write:progress:)``
    /// (the same seed gives the same folds); the first row is the whole model. `progress`
    /// is told each finished family.
    public static func ablation(hromadas: Registry, partners: Registry, truth: [Tie], base: Weights = .defaults, seed: UInt64 = 2022,
                                folds requested: Int = 5, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> [AblationRow] {
        var run = TuneRun(hromadas: hromadas, partners: partners, truth: truth, base: base, seed: seed, folds: requested, baselines: false)
        let families = [("model", [ScoreComponent]())] + ScoreComponent.families(of: ScoreComponent.model)
        let splits = run.splits
        // Every fit starts from the whole model's fit on every pair, without the family left out.
        let whole = run.reference(.model)
        var wholeHits: [Double] = []
        var rows: [AblationRow] = []
        for (k, (family, left)) in families.enumerated() {
            let components = ScoreComponent.model.filter { !left.contains($0) }
            var hromadaHits: [Double] = [], hits: [Double] = []
            let fitted = run.foldFits(components, ridge: modelRidge, exponents: splits.map { _ in base[.gravitySize] },
                                      start: whole.restricted(to: components))
            for ((context, _, test), weights) in zip(splits, fitted) {
                let ranks = Evaluator.ranks(model: run.model(weights, context), pairs: run.pairs)
                let metrics = EvaluationReport.metrics(ranks: test.map { ranks[$0] }, hromadas: test.map { truth[$0].hromada })
                hromadaHits.append(metrics.hromadaHitAt10)
                hits.append(metrics.hitAt[10] ?? 0)
            }
            if k == 0 { wholeHits = hromadaHits }
            rows.append(AblationRow(family: family, components: left, hromadaHitAt10: .init(hromadaHits), hitAt10: .init(hits),
                                    gain: zip(wholeHits, hromadaHits).map { $0 - $1 }))
            progress(k + 1, families.count)
        }
        return rows
    }
}
