import Foundation
import LinearAlgebra
import SeededRandom

/// A way `tune` chooses weights from training pairs. This enumeration is the one list of
/// methods: the tables, files and the choice of the best iterate over it.
public enum TuneMethod: String, CaseIterable, Sendable {
    /// The weights as given, without the components learnt from the truth.
    case defaults
    /// Each weight in {0, ½, 1}, every combination: the best training MRR.
    case grid
    /// Random points of the simplex (proximity's sign free): the best training MRR.
    case random
    /// Logistic regression of "really partnered" on the components (IRLS, LAPACK).
    case logistic

    public var title: String {
        switch self {
        case .defaults: return "defaults (without ties)"
        case .grid: return "grid search"
        case .random: return "random search"
        case .logistic: return "logistic regression"
        }
    }
}

/// Weight search and fitting against real partnerships, measured by k-fold
/// cross-validation by hromada. See <doc:MeasuringTheScores>.
public struct TuneReport: Sendable {
    /// One method's weights fitted on one fold's training pairs, measured on its held-out pairs.
    public struct Candidate: Sendable {
        public let method: TuneMethod
        public let weights: Weights
        public let trainMRR: Double
        public let heldOut: EvaluationReport.Metrics
    }
    public struct Fold: Sendable {
        public let index: Int
        public let trainHromadas: Int
        public let testHromadas: Int
        /// One per ``TuneMethod``, in its order.
        public let candidates: [Candidate]
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
        public let hitAt10: Spread
        public let medianRank: Spread
        /// Every true pair's rank while its hromada was held out (each exactly once).
        public let pooled: EvaluationReport.Metrics
    }
    public let folds: [Fold]
    /// One per ``TuneMethod``, in its order.
    public let summaries: [Summary]
    /// Per ``TuneMethod``: the rank of each true pair (in the order given) when its
    /// hromada was held out.
    public let heldOutRanks: [TuneMethod: [Int]]
    /// The fold each true pair was held out in.
    public let foldOfPair: [Int]
    /// The method with the best mean training MRR (held-out figures never choose).
    public let best: TuneMethod
    /// The best method fitted on every true pair, rounded: what `tune` writes.
    public let weights: Weights
}

public enum Tuner {
    /// The components tuning weighs: all but those learnt from the truth itself.
    public static let components = ScoreComponent.allCases.filter { !$0.usesKnownTies }

    /// Component values of every (hromada, partner) pair for the given hromada rows:
    /// `[component][row * partners.count + partner]`, from the same BLAS path as scoring,
    /// in one pass over the partners.
    static func componentValues(hromadas: Registry, partners: Registry, base: Weights) -> [[Float]] {
        let m = partners.count, n = hromadas.count
        let model = ScoreModel(hromadas: hromadas, partners: partners, weights: base)
        var values = components.map { _ in [Float](repeating: 0, count: n * m) }
        let pointers = values.indices.map { k in values[k].withUnsafeMutableBufferPointer { SharedBuffer($0) } }
        model.forEachSegment(components: components) { s in
            for k in components.indices {
                (pointers[k].base + s.row * m + s.columns.lowerBound).update(from: s.component(k), count: s.columns.count)
            }
        }
        return values
    }

    /// Ranks of the true partners under signed component weights (ranking by
    /// `Σ wₖ·cₖ` equals ranking by the normalised score, whose flips only add constants).
    static func ranks(_ comps: [[Float]], m: Int, pairs: [(row: Int, partner: Int)], weights w: [Float]) -> [Int] {
        var result = [Int](repeating: 0, count: pairs.count)
        let byRow = Dictionary(grouping: pairs.indices, by: { pairs[$0].row })
        let rows = byRow.keys.sorted()
        result.withUnsafeMutableBufferPointer { out in
            let out = SharedBuffer(out)
            DispatchQueue.concurrentPerform(iterations: rows.count) { k in
                let r = rows[k]
                var scores = [Float](repeating: 0, count: m)
                for (c, values) in comps.enumerated() where w[c] != 0 {
                    let weight = w[c]
                    values.withUnsafeBufferPointer { v in
                        for j in 0..<m { scores[j] += weight * v[r * m + j] }
                    }
                }
                for t in byRow[r]! {
                    let partner = pairs[t].partner, target = scores[partner]
                    var better = 0
                    for j in 0..<m where scores[j] > target || (scores[j] == target && j < partner) { better += 1 }
                    out[t] = better + 1
                }
            }
        }
        return result
    }

    /// Cross-validates the weight search by hromada: the hromadas of the true pairs are
    /// shuffled (seeded) into `folds` folds; for each, every ``TuneMethod`` chooses weights
    /// on the other folds' pairs and is measured on the fold's. The method with the best
    /// mean training MRR is then fitted on every pair. `progress` is told each finished
    /// search (`folds + 1` in all).
    public static func tune(hromadas: Registry, partners: Registry, truth: [Tie], base: Weights = .defaults,
                            seed: UInt64 = 2022, folds requested: Int = 5, randomTrials: Int = 40,
                            progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> TuneReport {
        var rng = SplitMix64(seed: seed)
        var shuffled = Array(Set(truth.map(\.hromada))).sorted()
        shuffled.shuffle(using: &rng)
        let folds = max(2, min(requested, shuffled.count))
        let foldOfHromada = Dictionary(uniqueKeysWithValues: shuffled.enumerated().map { ($1, $0 % folds) })
        let rows = shuffled.sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let m = partners.count
        let comps = componentValues(hromadas: hromadas.subset(rows), partners: partners, base: base)
        let pairs = truth.map { (row: rowOf[$0.hromada]!, partner: $0.partner) }
        let foldOfPair = truth.map { foldOfHromada[$0.hromada]! }

        var results: [TuneReport.Fold] = []
        var heldOut = [TuneMethod: [Int]](uniqueKeysWithValues: TuneMethod.allCases.map { ($0, [Int](repeating: 0, count: truth.count)) })
        for f in 0..<folds {
            let trainIndices = pairs.indices.filter { foldOfPair[$0] != f }, testIndices = pairs.indices.filter { foldOfPair[$0] == f }
            let train = trainIndices.map { pairs[$0] }, test = testIndices.map { pairs[$0] }
            let chosen = search(comps, m: m, train: train, base: base, randomTrials: randomTrials, rng: &rng)
            let candidates = TuneMethod.allCases.map { method -> TuneReport.Candidate in
                let w = chosen[method]!
                let testRanks = ranks(comps, m: m, pairs: test, weights: vector(w))
                for (k, t) in testIndices.enumerated() { heldOut[method]![t] = testRanks[k] }
                return .init(method: method, weights: w, trainMRR: trainMRR(comps, m: m, train, w),
                             heldOut: EvaluationReport.metrics(ranks: testRanks))
            }
            results.append(.init(index: f + 1, trainHromadas: rows.count - Set(testIndices.map { pairs[$0].row }).count,
                                 testHromadas: Set(testIndices.map { pairs[$0].row }).count, candidates: candidates))
            progress(f + 1, folds + 1)
        }
        let summaries = TuneMethod.allCases.enumerated().map { k, method in
            let column = results.map { $0.candidates[k] }
            return TuneReport.Summary(method: method, trainMRR: .init(column.map(\.trainMRR)),
                                      mrr: .init(column.map(\.heldOut.meanReciprocalRank)),
                                      hitAt10: .init(column.map { $0.heldOut.hitAt[10] ?? 0 }),
                                      medianRank: .init(column.map(\.heldOut.medianRank)),
                                      pooled: EvaluationReport.metrics(ranks: heldOut[method]!))
        }
        let best = summaries.max { $0.trainMRR.mean < $1.trainMRR.mean || ($0.trainMRR.mean == $1.trainMRR.mean && $0.method.rawValue > $1.method.rawValue) }!.method
        var final = search(comps, m: m, train: pairs, base: base, randomTrials: randomTrials, rng: &rng, only: best)[best]!.rounded(digits: 4)
        final.trainedOn = nil
        progress(folds + 1, folds + 1)
        return TuneReport(folds: results, summaries: summaries, heldOutRanks: heldOut, foldOfPair: foldOfPair, best: best, weights: final)
    }

    static func vector(_ w: Weights) -> [Float] { components.map { Float(w[$0]) } }

    static func trainMRR(_ comps: [[Float]], m: Int, _ train: [(row: Int, partner: Int)], _ w: Weights) -> Double {
        EvaluationReport.metrics(ranks: ranks(comps, m: m, pairs: train, weights: vector(w))).meanReciprocalRank
    }

    /// Each method's weights chosen on `train` (or only `only`'s).
    static func search(_ comps: [[Float]], m: Int, train: [(row: Int, partner: Int)], base: Weights, randomTrials: Int,
                       rng: inout SplitMix64, only: TuneMethod? = nil) -> [TuneMethod: Weights] {
        func weights(_ v: [Double]) -> Weights {
            let total = v.map(abs).reduce(0, +)
            let s = total > 0 ? v.map { $0 / total } : components.indices.map { $0 == 0 ? 1 : 0 }
            return Weights(only: Dictionary(uniqueKeysWithValues: zip(components, s)), parameters: base)
        }
        var chosen: [TuneMethod: Weights] = [:]
        for method in TuneMethod.allCases where only == nil || only == method {
            switch method {
            case .defaults:
                chosen[method] = base.without(ScoreComponent.allCases.filter(\.usesKnownTies))
            case .grid:
                // Each weight in {0, ½, 1}, every combination but all zeros, in a fixed order.
                var best = (mrr: -1.0, w: base)
                let levels = [0.0, 0.5, 1]
                for code in 1..<Int(pow(3, Double(components.count))) {
                    var rest = code
                    let w = weights(components.map { _ -> Double in defer { rest /= 3 }; return levels[rest % 3] })
                    let mrr = trainMRR(comps, m: m, train, w)
                    if mrr > best.mrr { best = (mrr, w) }
                }
                chosen[method] = best.w
            case .random:
                // Uniform on the simplex, proximity's sign free.
                var best = (mrr: -1.0, w: base)
                let proximity = components.firstIndex(of: .proximity)
                for _ in 0..<randomTrials {
                    var v = components.map { _ in -log(Double.random(in: 1e-12..<1, using: &rng)) }
                    if Bool.random(using: &rng), let k = proximity { v[k] = -v[k] }
                    let w = weights(v)
                    let mrr = trainMRR(comps, m: m, train, w)
                    if mrr > best.mrr { best = (mrr, w) }
                }
                chosen[method] = best.w
            case .logistic:
                chosen[method] = weights(logisticFit(comps, m: m, positives: train, rng: &rng))
            }
        }
        return chosen
    }

    /// Logistic regression of "really partnered" on the components, positives against 20
    /// sampled non-partners each, by iteratively reweighted least squares; returns the
    /// component coefficients (intercept dropped).
    static func logisticFit(_ comps: [[Float]], m: Int, positives: [(row: Int, partner: Int)],
                            rng: inout SplitMix64) -> [Double] {
        let truePairs = Set(positives.map { $0.row * m + $0.partner })
        let trueCount = Dictionary(grouping: truePairs, by: { $0 / max(m, 1) }).mapValues(\.count)
        var samples: [(index: Int, y: Double)] = positives.map { ($0.row * m + $0.partner, 1) }
        for p in positives {
            // Up to 20 non-partners, fewer when the row has fewer (then none: a row whose
            // every candidate is a true partner teaches nothing about the others).
            let available = m - (trueCount[p.row] ?? 0)
            var drawn = 0
            while drawn < min(20, available) {
                let k = p.row * m + Int.random(in: 0..<m, using: &rng)
                if !truePairs.contains(k) { samples.append((k, 0)); drawn += 1 }
            }
        }
        let features = comps.count + 1
        var beta = [Double](repeating: 0, count: features)
        // Fewer samples than coefficients (a tiny truth, or no non-partner to draw): nothing
        // to fit, and least squares would be underdetermined.
        guard samples.count >= features, samples.contains(where: { $0.y == 0 }) else { return Array(beta.dropFirst()) }
        for _ in 0..<25 {
            var a = [Double](), z = [Double]()
            a.reserveCapacity(samples.count * features)
            for s in samples {
                let x = [1.0] + comps.map { Double($0[s.index]) }
                let eta = zip(x, beta).reduce(0) { $0 + $1.0 * $1.1 }
                let p = 1 / (1 + exp(-eta))
                let weight = max(p * (1 - p), 1e-9), root = weight.squareRoot()
                a += x.map { $0 * root }
                z.append((eta + (s.y - p) / weight) * root)
            }
            guard let next = MatrixD(rows: samples.count, columns: features, storage: a).leastSquares(z) else { break }
            let change = zip(next, beta).map { abs($0 - $1) }.max() ?? 0
            beta = next
            if change < 1e-8 { break }
        }
        return Array(beta.dropFirst())
    }
}
