import Foundation
import LinearAlgebra
import SeededRandom

/// Weight search and fitting against real partnerships. See <doc:MeasuringTheScores>.
public struct TuneReport: Sendable {
    public struct Candidate: Sendable {
        public let method: String
        public let weights: Weights
        public let trainMRR: Double
        public let heldOut: EvaluationReport.Metrics
    }
    /// Defaults, best of the grid, best of the random search, logistic regression.
    public let candidates: [Candidate]
    /// The candidate with the best training MRR (held-out figures never choose).
    public let best: Candidate
    public let trainHromadas: Int
    public let testHromadas: Int
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

    /// Splits the true pairs by hromada (seeded), searches weights on the training part
    /// (grid and random), fits them by logistic regression (IRLS, each step a LAPACK least
    /// squares), and reports every candidate's held-out metrics.
    public static func tune(hromadas: Registry, partners: Registry, truth: [Tie], base: Weights = .defaults,
                            seed: UInt64 = 2022, testShare: Double = 0.3, randomTrials: Int = 40) -> TuneReport {
        var rng = SplitMix64(seed: seed)
        var rowsAll = Array(Set(truth.map(\.hromada))).sorted()
        rowsAll.shuffle(using: &rng)
        let testCount = Int((Double(rowsAll.count) * testShare).rounded())
        let testSet = Set(rowsAll.prefix(testCount))
        let rows = rowsAll.sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let m = partners.count
        let comps = componentValues(hromadas: hromadas.subset(rows), partners: partners, base: base)
        let train = truth.filter { !testSet.contains($0.hromada) }.map { (row: rowOf[$0.hromada]!, partner: $0.partner) }
        let test = truth.filter { testSet.contains($0.hromada) }.map { (row: rowOf[$0.hromada]!, partner: $0.partner) }

        func vector(_ w: Weights) -> [Float] { components.map { Float(w[$0]) } }
        func weights(_ v: [Double]) -> Weights {
            let total = v.map(abs).reduce(0, +)
            let s = total > 0 ? v.map { $0 / total } : components.indices.map { $0 == 0 ? 1 : 0 }
            return Weights(only: Dictionary(uniqueKeysWithValues: zip(components, s)), parameters: base)
        }
        func trainMRR(_ w: Weights) -> Double {
            EvaluationReport.metrics(ranks: ranks(comps, m: m, pairs: train, weights: vector(w))).meanReciprocalRank
        }
        func candidate(_ method: String, _ w: Weights) -> TuneReport.Candidate {
            .init(method: method, weights: w, trainMRR: trainMRR(w),
                  heldOut: EvaluationReport.metrics(ranks: ranks(comps, m: m, pairs: test, weights: vector(w))))
        }

        let defaults = base.without(ScoreComponent.allCases.filter(\.usesKnownTies))
        // Grid: each weight in {0, ½, 1}, every combination but all zeros, in a fixed order.
        var bestGrid = (mrr: -1.0, w: defaults)
        let levels = [0.0, 0.5, 1]
        let combinations = Int(pow(3, Double(components.count)))
        for code in 1..<combinations {
            var rest = code
            let v = components.map { _ -> Double in defer { rest /= 3 }; return levels[rest % 3] }
            let w = weights(v)
            let mrr = trainMRR(w)
            if mrr > bestGrid.mrr { bestGrid = (mrr, w) }
        }
        // Random search: uniform on the simplex, proximity's sign free.
        var bestRandom = (mrr: -1.0, w: defaults)
        let proximity = components.firstIndex(of: .proximity)
        for _ in 0..<randomTrials {
            var v = components.map { _ in -log(Double.random(in: 1e-12..<1, using: &rng)) }
            if Bool.random(using: &rng), let k = proximity { v[k] = -v[k] }
            let w = weights(v)
            let mrr = trainMRR(w)
            if mrr > bestRandom.mrr { bestRandom = (mrr, w) }
        }
        let fitted = weights(logisticFit(comps, m: m, positives: train, rng: &rng))

        let all = [candidate("defaults (without ties)", defaults), candidate("grid search", bestGrid.w),
                   candidate("random search", bestRandom.w), candidate("logistic regression", fitted)]
        let best = all.max { $0.trainMRR < $1.trainMRR || ($0.trainMRR == $1.trainMRR && $0.method > $1.method) }!
        return TuneReport(candidates: all, best: best, trainHromadas: rows.count - testCount, testHromadas: testCount)
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
