import Foundation
import LinearAlgebra
import SeededRandom
import TwinningShared
import TwinningInput
import TwinningScoring

/// A way of ranking partners that `tune` measures. This enumeration is the one list of
/// methods: the tables, files and the choice of what to write iterate over it.
public enum TuneMethod: String, CaseIterable, Sendable {
    /// Partners in random order: the metrics' expectation.
    case random
    /// `proximity` alone.
    case proximity
    /// The weights as given (``Evaluator/honest(_:)``: without offers), priors and ties
    /// learnt from the training pairs.
    case defaults
    /// The gravity component alone, its size exponent chosen on the training pairs.
    case gravity
    /// The old logit: the first twelve components (`ScoreComponent.oldLogit`), weighted
    /// by a conditional logit fitted on the training pairs (``ConditionalLogit``), with
    /// gravity's exponent as fitted.
    case logit
    /// The model: the piecewise-linear shapes, the log priors, profile and capitals
    /// (`ScoreComponent.model`), a conditional logit with a small L2 penalty
    /// (``Tuner/modelRidge``).
    case model

    public var title: String {
        switch self {
        case .random: return "random (expected)"
        case .proximity: return "proximity only"
        case .defaults: return "weights as given"
        case .gravity: return "gravity, a fitted"
        case .logit: return "old logit"
        case .model: return "model"
        }
    }

    /// Whether the method learns from the training pairs (and so can be written as weights).
    public var isFitted: Bool { self == .gravity || self == .logit || self == .model }

    /// The L2 penalty of a logit method's fit (see ``ConditionalLogit/fit(model:components:pairs:start:hessian:ridge:maxIterations:tolerance:)``).
    var ridge: Double { self == .model ? Tuner.modelRidge : 1e-6 }

    /// The components a logit method fits.
    public var components: [ScoreComponent] {
        switch self {
        case .logit: return ScoreComponent.oldLogit
        case .model: return ScoreComponent.model
        case .random, .proximity, .defaults, .gravity: return []
        }
    }
}

/// Fitting against real partnerships, measured by k-fold cross-validation by hromada.
/// See “Measuring the scores” in the Twinning documentation.
public struct TuneReport: Sendable {
    /// One method measured on one fold's held-out pairs, having learnt from the others.
    public struct Candidate: Sendable {
        public let method: TuneMethod
        /// The weights it ranked by (nil for random order).
        public let weights: Weights?
        public let trainMRR: Double
        public let heldOut: EvaluationReport.Metrics
        public let heldOutNameMatched: EvaluationReport.Metrics
    }
    public struct Fold: Sendable {
        public let index: Int
        public let trainHromadas: Int
        public let testHromadas: Int
        /// One per ``TuneMethod``, in its order.
        public let candidates: [Candidate]
        /// The conditional logit's calibration on this fold: how many held-out true pairs
        /// fall in each tenth of the likelihood (the scale made of the training pairs).
        public let calibration: [Int]
    }
    /// Mean and sample standard deviation over the folds.
    public struct Spread: Sendable {
        public let mean: Double
        public let sd: Double
        init(_ xs: [Double]) {
            let n = Double(xs.count), mean = xs.reduce(0, +) / max(n, 1)
            self.mean = mean
            sd = xs.count > 1 ? (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        }
    }
    public struct Summary: Sendable {
        public let method: TuneMethod
        public let trainMRR: Spread
        public let mrr: Spread
        public let hitAt1: Spread
        public let hitAt10: Spread
        public let hitAt100: Spread
        public let medianRank: Spread
        public let hromadaHitAt10: Spread
        /// The same four on the pairs matched by name on both sides.
        public let nameMatchedHitAt10: Spread
        public let nameMatchedHromadaHitAt10: Spread
        /// Every true pair's rank while its hromada was held out (each exactly once).
        public let pooled: EvaluationReport.Metrics
    }
    public let folds: [Fold]
    /// One per ``TuneMethod``, in its order.
    public let summaries: [Summary]
    /// Per ranked ``TuneMethod``: the rank of each true pair (in the order given) when its
    /// hromada was held out.
    public let heldOutRanks: [TuneMethod: [Int]]
    /// The fold each true pair was held out in, and its hromada.
    public let foldOfPair: [Int]
    public let hromadaOfPair: [Int]
    /// The method written, fitted on every true pair and rounded.
    public let written: TuneMethod
    public let weights: Weights
    /// Per logit method: how alike its models of different folds rank (``Agreement``).
    public let agreement: [TuneMethod: Agreement]

    /// How alike the models fitted on different folds are: over every pair of folds and
    /// every hromada of the true pairs, the share of its top 10 partners that both models
    /// list, and the share of hromadas whose first partner is the same.
    public struct Agreement: Sendable {
        public let top10: Double, top1: Double
    }

    /// `method` against `baseline` on the held-out folds: per fold, the difference in
    /// hromadas hit@10, hit@10 and MRR; and per hromada (each held out once), how many
    /// have a true partner in the top 10 of one method only, with the two-sided sign
    /// test's p-value of that split.
    public struct Comparison: Sendable {
        public let method: TuneMethod, baseline: TuneMethod
        public let hromadaHitAt10: [Double], hitAt10: [Double], mrr: [Double]
        public let onlyMethod: Int, onlyBaseline: Int
        public var better: Int { hromadaHitAt10.filter { $0 > 0 }.count }
        public var worse: Int { hromadaHitAt10.filter { $0 < 0 }.count }
        /// `P(split at least this uneven | each hromada equally likely either way)`.
        public var signTestP: Double { Self.signTest(onlyMethod, onlyBaseline) }

        static func signTest(_ a: Int, _ b: Int) -> Double {
            let n = a + b, k = min(a, b)
            guard n > 0 else { return 1 }
            // 2 · P(X ≤ k), X ~ Binomial(n, ½), in logarithms so that large n stays finite.
            var sum = 0.0
            for i in 0...k { sum += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) - Double(n) * log(2)) }
            return min(1, 2 * sum)
        }
    }

    /// `method` compared with `baseline` fold by fold and hromada by hromada.
    public func comparison(_ method: TuneMethod, against baseline: TuneMethod) -> Comparison? {
        guard let a = folds.first?.candidates.firstIndex(where: { $0.method == method }),
              let b = folds.first?.candidates.firstIndex(where: { $0.method == baseline }),
              let mine = heldOutRanks[method], let theirs = heldOutRanks[baseline] else { return nil }
        func difference(_ value: (TuneReport.Candidate) -> Double) -> [Double] { folds.map { value($0.candidates[a]) - value($0.candidates[b]) } }
        var best: [Int: (Int, Int)] = [:]
        for t in mine.indices {
            let h = hromadaOfPair[t], old = best[h] ?? (.max, .max)
            best[h] = (min(old.0, mine[t]), min(old.1, theirs[t]))
        }
        return Comparison(method: method, baseline: baseline, hromadaHitAt10: difference(\.heldOut.hromadaHitAt10),
                          hitAt10: difference { $0.heldOut.hitAt[10] ?? 0 }, mrr: difference(\.heldOut.meanReciprocalRank),
                          onlyMethod: best.values.filter { $0.0 <= 10 && $0.1 > 10 }.count,
                          onlyBaseline: best.values.filter { $0.0 > 10 && $0.1 <= 10 }.count)
    }

    /// The folds' calibration tables added up: held-out true pairs per tenth of the
    /// likelihood, 0–0.1 first. A calibrated likelihood puts a tenth of them in each.
    public var calibration: [Int] { folds.reduce(into: [Int](repeating: 0, count: 10)) { sum, f in for k in 0..<10 { sum[k] += f.calibration[k] } } }
}

public enum Tuner {
    /// The L2 penalty of the model's fit, per choice: `½·λ·n·|β|²` is taken from the
    /// log-likelihood of `n` choices. Small: it only steadies coefficients of shapes that
    /// the folds barely tell apart.
    public static let modelRidge = 1e-5

    /// Where the fits of the folds stop: their weights are only measured on held-out
    /// pairs (to 3 decimals), so 10⁻⁶ is ample; the weights written are fitted to
    /// ``ConditionalLogit/polishTolerance``.
    static let foldTolerance = 1e-6

    /// Where the old logit's Newton steps start in the first fold: its fit on the shipped
    /// ties (the default weights before the model), which saves most of the steps.
    static let oldLogitStart: [ScoreComponent: Double] = [
        .profile: 1.2381, .size: 0.0498, .proximity: -0.8763, .ties: 0.4104, .gravity: 19.0308, .town: 2.6862, .centre: -0.8793,
        .countryPrior: 0.5857, .regionPrior: 5.1462, .popularity: 0.1036, .capitals: 1.7653, .upward: 39.8647,
    ]
    /// The gravity size exponents tried.
    public static let gravityExponents = [0.0, 0.25, 0.5, 0.75, 1, 1.5, 2]

    /// Cross-validates by hromada: the hromadas of the true pairs are shuffled (seeded)
    /// into `folds` folds; for each, every ``TuneMethod`` learns on the other folds'
    /// pairs (the priors and `ties` included: the known ties are the training pairs only)
    /// and is measured on the fold's. Then `write` is fitted on every pair. `progress` is
    /// told each finished fold (`folds + 1` in all).
    public static func tune(hromadas: Registry, partners: Registry, truth: [Tie], base: Weights = .defaults,
                            seed: UInt64 = 2022, folds requested: Int = 5, write: TuneMethod = .model,
                            progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> TuneReport {
        var run = TuneRun(hromadas: hromadas, partners: partners, truth: truth, base: base, seed: seed, folds: requested)
        run.fitFolds()
        var results: [TuneReport.Fold] = []
        var heldOut: [TuneMethod: [Int]] = [:]
        for method in TuneMethod.allCases where method != .random { heldOut[method] = [Int](repeating: 0, count: truth.count) }
        for f in 0..<run.folds {
            results.append(run.fold(f, heldOut: &heldOut))
            progress(f + 1, run.folds + 1)
        }
        let summaries = TuneMethod.allCases.enumerated().map { k, method in
            summary(method, results.map { $0.candidates[k] }, heldOut: heldOut[method], truth: truth, candidates: partners.count)
        }
        let final = run.finalWeights(write)
        progress(run.folds + 1, run.folds + 1)
        return TuneReport(folds: results, summaries: summaries, heldOutRanks: heldOut, foldOfPair: run.foldOfPair,
                          hromadaOfPair: truth.map(\.hromada), written: write, weights: final, agreement: run.agreement())
    }

    /// One method's figures over the folds, and pooled over every held-out rank.
    static func summary(_ method: TuneMethod, _ column: [TuneReport.Candidate], heldOut: [Int]?, truth: [Tie],
                        candidates: Int) -> TuneReport.Summary {
        let pooled = heldOut.map { EvaluationReport.metrics(ranks: $0, hromadas: truth.map(\.hromada)) }
            ?? EvaluationReport.randomBaseline(hromadas: truth.map(\.hromada), candidates: candidates)
        return TuneReport.Summary(method: method, trainMRR: .init(column.map(\.trainMRR)),
                                  mrr: .init(column.map(\.heldOut.meanReciprocalRank)),
                                  hitAt1: .init(column.map { $0.heldOut.hitAt[1] ?? 0 }),
                                  hitAt10: .init(column.map { $0.heldOut.hitAt[10] ?? 0 }),
                                  hitAt100: .init(column.map { $0.heldOut.hitAt[100] ?? 0 }),
                                  medianRank: .init(column.map(\.heldOut.medianRank)),
                                  hromadaHitAt10: .init(column.map(\.heldOut.hromadaHitAt10)),
                                  nameMatchedHitAt10: .init(column.map { $0.heldOutNameMatched.hitAt[10] ?? 0 }),
                                  nameMatchedHromadaHitAt10: .init(column.map(\.heldOutNameMatched.hromadaHitAt10)),
                                  pooled: pooled)
    }

    /// One method's figures on one fold: training MRR, and the held-out metrics over all
    /// test pairs and over those matched by name.
    static func candidate(_ method: TuneMethod, _ weights: Weights?, _ ranks: [Int]?, train: [Int], test: [Int],
                          truth: [Tie], m: Int) -> TuneReport.Candidate {
        let named = test.filter { truth[$0].matchedByName == true }
        func metrics(_ subset: [Int]) -> EvaluationReport.Metrics {
            guard let ranks else { return EvaluationReport.randomBaseline(hromadas: subset.map { truth[$0].hromada }, candidates: m) }
            return EvaluationReport.metrics(ranks: subset.map { ranks[$0] }, hromadas: subset.map { truth[$0].hromada })
        }
        return .init(method: method, weights: weights, trainMRR: metrics(train).meanReciprocalRank,
                     heldOut: metrics(test), heldOutNameMatched: metrics(named))
    }
}

/// One cross-validation in progress: the folds, the rankings that learn nothing (proximity,
/// gravity at each exponent, made once for all folds), and each logit method's fit on
/// every pair, where its folds' Newton steps start.
struct TuneRun {
    let hromadas: Registry, partners: Registry, truth: [Tie], base: Weights
    let folds: Int
    let foldOfPair: [Int]
    /// The true pairs as rows of the models (the truth's hromadas, sorted) and partners.
    let rows: [Int]
    let pairs: [(row: Int, partner: Int)]
    let everyTie: ScoreContext
    let proximity: [Int]
    let gravity: [[Int]]
    /// Per fold: the known ties of its training pairs, those pairs and the held-out ones.
    let splits: [(context: ScoreContext, train: [Int], test: [Int])]
    /// Per logit method: its fit on every pair (``reference(_:)``); each fold's weights
    /// (``fitFolds()``) and top 10 of every row.
    var references: [TuneMethod: Start] = [:]
    var foldWeights: [TuneMethod: [Weights]] = [:]
    var tops: [TuneMethod: [[[Int]]]] = [:]

    /// `baselines`: whether to rank by proximity and by gravity at each exponent (the
    /// ablation table does without).
    init(hromadas: Registry, partners: Registry, truth: [Tie], base: Weights, seed: UInt64, folds requested: Int, baselines: Bool = true) {
        self.hromadas = hromadas; self.partners = partners; self.truth = truth; self.base = base
        var rng = SplitMix64(seed: seed)
        var shuffled = Array(Set(truth.map(\.hromada))).sorted()
        shuffled.shuffle(using: &rng)
        let count = max(2, min(requested, shuffled.count))
        folds = count
        let foldOfHromada = Dictionary(uniqueKeysWithValues: shuffled.enumerated().map { ($1, $0 % count) })
        let foldOfPair = truth.map { foldOfHromada[$0.hromada]! }
        self.foldOfPair = foldOfPair
        let sortedRows = shuffled.sorted()
        rows = sortedRows
        let rowOf = Dictionary(uniqueKeysWithValues: sortedRows.enumerated().map { ($1, $0) })
        let truePairs = truth.map { (row: rowOf[$0.hromada]!, partner: $0.partner) }
        pairs = truePairs
        // Proximity and gravity do not learn from ties: one ranking of every pair serves all folds.
        let all = ScoreContext(hromadas: hromadas, partners: partners, ties: truth.map(\.pair), priorStrength: base[.priorStrength])
        everyTie = all
        splits = (0..<count).map { f in
            let train = truePairs.indices.filter { foldOfPair[$0] != f }, test = truePairs.indices.filter { foldOfPair[$0] == f }
            let context = ScoreContext(hromadas: hromadas, partners: partners, ties: train.map { truth[$0].pair },
                                       priorStrength: base[.priorStrength])
            return (context, train, test)
        }
        guard baselines else { proximity = []; gravity = []; return }
        let (h, p, r, t, b) = (hromadas, partners, sortedRows, truePairs, base)
        func ranks(_ w: Weights) -> [Int] {
            Evaluator.ranks(model: ScoreModel(hromadas: h, partners: p, weights: Evaluator.honest(w), context: all, rows: r), pairs: t)
        }
        proximity = ranks(Weights(only: [.proximity: 1], parameters: base))
        gravity = Tuner.gravityExponents.map { a -> [Int] in
            var w = Weights(only: [.gravity: 1], parameters: b)
            w[.gravitySize] = a
            return ranks(w)
        }
    }

    /// The model a method's held-out ranks come from: its weights without the fit.
    func model(_ w: Weights, _ context: ScoreContext) -> ScoreModel {
        ScoreModel(hromadas: hromadas, partners: partners, weights: Evaluator.honest(w), context: context, rows: rows)
    }

    /// The gravity exponent with the best MRR on the pairs `train` (the smaller on a tie).
    func bestExponent(_ train: [Int]) -> Int {
        func mrr(_ ranks: [Int]) -> Double { train.reduce(0) { $0 + 1 / Double(ranks[$1]) } / Double(max(train.count, 1)) }
        return gravity.indices.max { mrr(gravity[$0]) < mrr(gravity[$1]) || (mrr(gravity[$0]) == mrr(gravity[$1]) && $0 > $1) }!
    }

    /// Each logit method's weights on every fold (``foldFits(_:ridge:exponents:start:)``),
    /// its steps started from the method's reference fit (``reference(_:)``).
    mutating func fitFolds() {
        let exponents = splits.map { gravity.isEmpty ? base[.gravitySize] : Tuner.gravityExponents[bestExponent($0.train)] }
        for method in TuneMethod.allCases where !method.components.isEmpty {
            let start = reference(method)
            foldWeights[method] = foldFits(method.components, ridge: method.ridge, exponents: exponents,
                                           start: start.restricted(to: method.components))
        }
    }

    /// The fit of a logit method on every pair (the known ties all of them), made once
    /// per run to ``ConditionalLogit/polishTolerance``: the weights written when the method
    /// is the one written, and where each fold's fit starts. A fold's optimum lies close to
    /// it (its training pairs are most of them), and the steps from there converge to the
    /// fold's own optimum, whatever the start, to ``Tuner/foldTolerance``: the start only
    /// saves steps, it carries nothing of the held-out pairs into the fold's weights.
    mutating func reference(_ method: TuneMethod) -> Start {
        if let known = references[method] { return known }
        // Without the gravity rankings (the ablation's run) gravity's exponent is the one given.
        let all = Array(pairs.indices), base = base
        let a = gravity.isEmpty ? base[.gravitySize] : Tuner.gravityExponents[bestExponent(all)]
        let start = method.components.map { method == .logit && base.isDefault ? Tuner.oldLogitStart[$0] ?? 0 : base[$0] }
        let found = fit(method.components, ridge: method.ridge, all, everyTie, exponent: a,
                        tolerance: ConditionalLogit.polishTolerance, start: start)
        let reference = Start(components: method.components, coefficients: found.fit.coefficients, weights: found.weights)
        references[method] = reference
        return reference
    }

    /// Where a fit's steps start: coefficients of `components`.
    struct Start {
        let components: [ScoreComponent]
        let coefficients: [Double]
        /// The weights fitted, when this start is a reference fit.
        var weights: Weights? = nil

        /// The coefficients of `subset` (components of this one).
        func restricted(to subset: [ScoreComponent]) -> [Double] {
            subset.map { c in coefficients[components.firstIndex(of: c)!] }
        }
    }

    /// The fit-only parameters: the base's, with gravity's exponent `exponent`.
    func parameters(exponent: Double) -> Weights {
        var parameters = base
        parameters[.gravitySize] = exponent
        return parameters
    }

    /// A conditional logit of `components` on training pairs `train` (rows of every true
    /// pair's hromada, ``rows``), with known ties `context`, from `start`.
    func fit(_ components: [ScoreComponent], ridge: Double, _ train: [Int], _ context: ScoreContext, exponent: Double,
             tolerance: Double, start: [Double]) -> (weights: Weights, fit: ConditionalLogit.Fit) {
        let parameters = parameters(exponent: exponent)
        let trainRows = Array(Set(train.map { truth[$0].hromada })).sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: trainRows.enumerated().map { ($1, $0) })
        // The fit reads the components only: no weight, so no score is made.
        let fitModel = ScoreModel(hromadas: hromadas, partners: partners, weights: Weights(only: [:], parameters: parameters),
                                  context: context, rows: trainRows)
        let fit = ConditionalLogit.fit(model: fitModel, components: components,
                                       pairs: train.map { (rowOf[truth[$0].hromada]!, truth[$0].partner) },
                                       start: start, ridge: ridge, tolerance: tolerance)
        return (Weights(only: Dictionary(uniqueKeysWithValues: zip(components, fit.coefficients)), parameters: parameters), fit)
    }

    /// A conditional logit of `components` on each fold's training pairs and known ties,
    /// gravity's exponent `exponents[f]` in fold `f`, every fold's steps from `start`, to
    /// ``Tuner/foldTolerance``. The folds are fitted together
    /// (``ConditionalLogit/fitTogether(_:model:components:starts:ridge:tolerance:)``): one
    /// model of every true pair's hromada gives the components all folds share, each fold's
    /// own model (the same rows, its known ties) those learnt from ties, and gravity where
    /// its exponent is not the one most folds chose. Each fold's fit starts from its own
    /// single-precision Hessian at `start`: one fold leaves out a fifth of the choices and
    /// changes the priors, so its optimum is too far for the reference fit's Hessian.
    func foldFits(_ components: [ScoreComponent], ridge: Double, exponents: [Double], start: [Double]) -> [Weights] {
        // The exponent most folds chose (the smallest of equals) is the shared model's.
        let shared = Set(exponents).max { a, b in
            let (m, n) = (exponents.filter { $0 == a }.count, exponents.filter { $0 == b }.count)
            return m < n || (m == n && a > b)
        } ?? base[.gravitySize]
        func model(_ context: ScoreContext, _ exponent: Double) -> ScoreModel {
            ScoreModel(hromadas: hromadas, partners: partners, weights: Weights(only: [:], parameters: parameters(exponent: exponent)),
                       context: context, rows: rows)
        }
        let problems = zip(splits, exponents).map { split, exponent in
            ConditionalLogit.Choices(pairs: split.train.map { pairs[$0] }, model: model(split.context, exponent),
                                     own: components.map { $0.usesKnownTies || ($0 == .gravity && exponent != shared) })
        }
        let fits = ConditionalLogit.fitTogether(problems, model: model(everyTie, shared), components: components,
                                                starts: problems.map { _ in start }, ridge: ridge, tolerance: Tuner.foldTolerance)
        return zip(fits, exponents).map { fit, exponent in
            Weights(only: Dictionary(uniqueKeysWithValues: zip(components, fit.coefficients)), parameters: parameters(exponent: exponent))
        }
    }

    /// Fold `f`: every method learns on the other folds' pairs and is measured on this
    /// one's; their held-out ranks go into `heldOut`.
    mutating func fold(_ f: Int, heldOut: inout [TuneMethod: [Int]]) -> TuneReport.Fold {
        let (context, train, test) = splits[f]
        let a = bestExponent(train)
        var candidates: [TuneReport.Candidate] = []
        var calibration = [Int](repeating: 0, count: 10)
        for method in TuneMethod.allCases {
            let weights: Weights?, ranks: [Int]?
            switch method {
            case .random: weights = nil; ranks = nil
            case .proximity: weights = Weights(only: [.proximity: 1], parameters: base); ranks = proximity
            case .gravity:
                var w = Weights(only: [.gravity: 1], parameters: base)
                w[.gravitySize] = Tuner.gravityExponents[a]
                weights = w; ranks = gravity[a]
            case .defaults:
                weights = Evaluator.honest(base); ranks = Evaluator.ranks(model: model(weights!, context), pairs: pairs)
            case .logit, .model:
                weights = foldWeights[method]![f]
                let fitted = model(weights!, context)
                let ranked = Evaluator.ranks(model: fitted, pairs: pairs, top: 10)
                ranks = ranked.ranks
                tops[method, default: []].append(ranked.tops)
                // The likelihood of each held-out pair on the scale of the training pairs.
                if method == .model, let scale = fitted.likelihood {
                    for t in test {
                        let likelihood = scale.value(fitted.componentScore(hromada: pairs[t].row, partner: pairs[t].partner))
                        calibration[min(9, Int(likelihood * 10))] += 1
                    }
                }
            }
            if let ranks { for t in test { heldOut[method]![t] = ranks[t] } }
            candidates.append(Tuner.candidate(method, weights, ranks, train: train, test: test, truth: truth, m: partners.count))
        }
        return .init(index: f + 1, trainHromadas: Set(train.map { pairs[$0].row }).count,
                     testHromadas: Set(test.map { pairs[$0].row }).count, candidates: candidates, calibration: calibration)
    }

    /// ``TuneReport/Agreement`` of each logit method's fold models.
    func agreement() -> [TuneMethod: TuneReport.Agreement] {
        tops.mapValues { folds in
            var top10 = 0.0, top1 = 0.0, pairs = 0
            for a in folds.indices { for b in folds.indices where b > a {
                for (x, y) in zip(folds[a], folds[b]) {
                    top10 += Double(Set(x).intersection(y).count) / Double(max(1, x.count))
                    top1 += x.first == y.first ? 1 : 0
                    pairs += 1
                }
            }}
            return .init(top10: top10 / Double(max(1, pairs)), top1: top1 / Double(max(1, pairs)))
        }
    }

    /// The method written, fitted on every pair and rounded to 4 decimals.
    mutating func finalWeights(_ write: TuneMethod) -> Weights {
        let all = Array(pairs.indices), a = Tuner.gravityExponents[bestExponent(all)]
        var final: Weights
        switch write {
        case .logit, .model:
            final = reference(write).weights!
        case .random, .proximity, .defaults, .gravity:
            final = Weights(only: [.gravity: 1], parameters: base)
            final[.gravitySize] = a
        }
        final = final.rounded(digits: 4)
        final.trainedOn = nil
        return final
    }
}
