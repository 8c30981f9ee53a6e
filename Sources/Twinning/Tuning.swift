import Foundation
import LinearAlgebra

/// Weight search and fitting against real partnerships (SPEC §8).
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
    static let componentNames = ["needs", "profile", "size", "proximity"]

    /// Component values of every (hromada, partner) pair for the given hromada rows:
    /// `[component][row * partners.count + partner]`, from the same BLAS path as scoring
    /// (a model whose only weight is that component scores exactly the component).
    static func components(hromadas: Registry, partners: Registry, base: Weights) -> [[Float]] {
        let m = partners.count, n = hromadas.count
        return componentNames.map { name in
            var w = base
            w.needs = name == "needs" ? 1 : 0; w.profile = name == "profile" ? 1 : 0
            w.size = name == "size" ? 1 : 0; w.proximity = name == "proximity" ? 1 : 0; w.ties = 0
            let model = ScoreModel(hromadas: hromadas, partners: partners, weights: w, partnerTiedRegions: [:])
            var values = [Float](repeating: 0, count: n * m)
            model.forEachBlock { columns, s in
                let b = columns.count
                for r in 0..<n { for c in 0..<b { values[r * m + columns.lowerBound + c] = s[r * b + c] } }
            }
            return values
        }
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
        var rng = SplitMix(seed: seed)
        var rowsAll = Array(Set(truth.map(\.hromada))).sorted()
        rowsAll.shuffle(using: &rng)
        let testCount = Int((Double(rowsAll.count) * testShare).rounded())
        let testSet = Set(rowsAll.prefix(testCount))
        let rows = rowsAll.sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let m = partners.count
        let comps = components(hromadas: hromadas.subset(rows), partners: partners, base: base)
        let train = truth.filter { !testSet.contains($0.hromada) }.map { (row: rowOf[$0.hromada]!, partner: $0.partner) }
        let test = truth.filter { testSet.contains($0.hromada) }.map { (row: rowOf[$0.hromada]!, partner: $0.partner) }

        func vector(_ w: Weights) -> [Float] { [Float(w.needs), Float(w.profile), Float(w.size), Float(w.proximity)] }
        func weights(_ v: [Double]) -> Weights {
            var w = base
            let total = v.map(abs).reduce(0, +)
            let s = total > 0 ? v.map { $0 / total } : [1, 0, 0, 0]
            w.needs = s[0]; w.profile = s[1]; w.size = s[2]; w.proximity = s[3]; w.ties = 0
            return w
        }
        func trainMRR(_ w: Weights) -> Double {
            EvaluationReport.metrics(ranks: ranks(comps, m: m, pairs: train, weights: vector(w))).meanReciprocalRank
        }
        func candidate(_ method: String, _ w: Weights) -> TuneReport.Candidate {
            .init(method: method, weights: w, trainMRR: trainMRR(w),
                  heldOut: EvaluationReport.metrics(ranks: ranks(comps, m: m, pairs: test, weights: vector(w))))
        }

        var defaults = base
        defaults.ties = 0
        // Grid: each weight in {0, ½, 1}.
        var bestGrid = (mrr: -1.0, w: defaults)
        let levels = [0.0, 0.5, 1]
        for code in 1..<81 {   // every combination but all zeros, in a fixed order
            let v = [code % 3, code / 3 % 3, code / 9 % 3, code / 27 % 3].map { levels[$0] }
            let w = weights(v)
            let mrr = trainMRR(w)
            if mrr > bestGrid.mrr { bestGrid = (mrr, w) }
        }
        // Random search: uniform on the simplex, proximity sign free.
        var bestRandom = (mrr: -1.0, w: defaults)
        for _ in 0..<randomTrials {
            var v = (0..<4).map { _ in -log(Double.random(in: 1e-12..<1, using: &rng)) }
            if Bool.random(using: &rng) { v[3] = -v[3] }
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
                            rng: inout SplitMix) -> [Double] {
        let truePairs = Set(positives.map { $0.row * m + $0.partner })
        var samples: [(index: Int, y: Double)] = positives.map { ($0.row * m + $0.partner, 1) }
        for p in positives {
            var drawn = 0
            while drawn < 20 {
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

/// SplitMix64: a small seeded generator, the same on every platform.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
