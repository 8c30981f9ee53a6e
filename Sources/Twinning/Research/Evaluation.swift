import Foundation

/// How well a weighting recovers partnerships that really formed. See <doc:MeasuringTheScores>.
public struct EvaluationReport: Sendable {
    public struct Metrics: Sendable, Equatable {
        public let pairs: Int
        public let hitAt: [Int: Double]     // k → share of true pairs ranked ≤ k
        public let meanReciprocalRank: Double
        public let medianRank: Double
    }
    public static let cutoffs = [1, 5, 10, 50]
    /// Method name ("weights", "proximity only", "random (expected)") → overall metrics.
    public let overall: [(method: String, metrics: Metrics)]
    /// Partner country → method → metrics, for the weights being evaluated.
    public let byCountry: [(country: String, metrics: Metrics)]
    public let candidates: Int
    /// True pairs whose partner is not among the candidates (left out of the metrics).
    public let outsideCandidates: Int
    /// Method → the rank of every true pair, in the order given (nil: the partner is not a
    /// candidate). The random baseline has no ranks, only expectations.
    public let pairRanks: [(method: String, ranks: [Int?])]

    /// Metrics from 1-based ranks.
    public static func metrics(ranks: [Int]) -> Metrics {
        guard !ranks.isEmpty else { return Metrics(pairs: 0, hitAt: [:], meanReciprocalRank: 0, medianRank: 0) }
        let sorted = ranks.sorted()
        let n = Double(ranks.count)
        var hits: [Int: Double] = [:]
        for k in cutoffs { hits[k] = Double(ranks.filter { $0 <= k }.count) / n }
        let mid = sorted.count / 2
        let median = sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
        return Metrics(pairs: ranks.count, hitAt: hits, meanReciprocalRank: ranks.reduce(0) { $0 + 1 / Double($1) } / n,
                       medianRank: median)
    }

    /// The expected metrics of ranking `candidates` partners in random order.
    public static func randomBaseline(pairs: Int, candidates m: Int) -> Metrics {
        var hits: [Int: Double] = [:]
        for k in cutoffs { hits[k] = Double(min(k, m)) / Double(max(m, 1)) }
        var harmonic = 0.0
        for r in 1...max(m, 1) { harmonic += 1 / Double(r) }
        return Metrics(pairs: pairs, hitAt: hits, meanReciprocalRank: harmonic / Double(max(m, 1)),
                       medianRank: Double(m + 1) / 2)
    }
}

public enum Evaluator {
    /// Ranks, for every true pair, the true partner among `candidates` (all partners when
    /// nil) by score for its hromada: rank 1 is the best. Equal scores rank by lower index.
    /// The ties component is left out: the true pairs would otherwise vouch for themselves.
    public static func ranks(hromadas: Registry, partners: Registry, truth: [Tie], weights: Weights,
                             candidates: [Bool]? = nil) -> [Int?] {
        let rows = Array(Set(truth.map(\.hromada))).sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let model = ScoreModel(hromadas: hromadas.subset(rows), partners: partners,
                               weights: weights.without(ScoreComponent.allCases.filter(\.usesKnownTies)))
        // The true partners' scores, from a first pass computed exactly as the second (a
        // score taken another way could differ in its last bit and miscount ties).
        var trueScore = [Float](repeating: 0, count: truth.count)
        let byRow = Dictionary(grouping: truth.indices, by: { rowOf[truth[$0].hromada]! })
        trueScore.withUnsafeMutableBufferPointer { buffer in
            let trueScore = SharedBuffer(buffer)
            model.forEachSegment { s in
                for t in byRow[s.row] ?? [] where s.columns.contains(truth[t].partner) {
                    trueScore[t] = s[truth[t].partner - s.columns.lowerBound]
                }
            }
        }
        // Count, run by run, the candidates that beat each true partner.
        var better = [Int](repeating: 0, count: truth.count)
        let targets = trueScore
        better.withUnsafeMutableBufferPointer { buffer in
            let better = SharedBuffer(buffer)
            model.forEachSegment { s in
                for t in byRow[s.row] ?? [] {
                    let target = targets[t], partner = truth[t].partner
                    var count = 0
                    for c in 0..<s.columns.count where candidates?[s.columns.lowerBound + c] ?? true {
                        let x = s[c]
                        if x > target || (x == target && s.columns.lowerBound + c < partner) { count += 1 }
                    }
                    better[t] += count
                }
            }
        }
        return truth.indices.map { t in candidates?[truth[t].partner] == false ? nil : better[t] + 1 }
    }

    /// The full report: the weights, proximity only and random, overall and per country.
    public static func evaluate(hromadas: Registry, partners: Registry, truth: [Tie], weights: Weights,
                                candidates: [Bool]? = nil) -> EvaluationReport {
        let ranked = ranks(hromadas: hromadas, partners: partners, truth: truth, weights: weights, candidates: candidates)
        let proximityOnly = Weights(only: [.proximity: 1], parameters: weights)
        let near = ranks(hromadas: hromadas, partners: partners, truth: truth, weights: proximityOnly, candidates: candidates)
        let m = candidates?.filter { $0 }.count ?? partners.count
        let kept = ranked.compactMap { $0 }
        var countries: [String: [Int]] = [:]
        for (t, rank) in ranked.enumerated() { if let rank { countries[partners.countries[truth[t].partner], default: []].append(rank) } }
        return EvaluationReport(
            overall: [("weights", EvaluationReport.metrics(ranks: kept)),
                      ("proximity only", EvaluationReport.metrics(ranks: near.compactMap { $0 })),
                      ("random (expected)", EvaluationReport.randomBaseline(pairs: kept.count, candidates: m))],
            byCountry: countries.sorted { $0.value.count > $1.value.count || ($0.value.count == $1.value.count && $0.key < $1.key) }
                .map { ($0.key, EvaluationReport.metrics(ranks: $0.value)) },
            candidates: m, outsideCandidates: ranked.count - kept.count,
            pairRanks: [("weights", ranked), ("proximity only", near)])
    }
}
