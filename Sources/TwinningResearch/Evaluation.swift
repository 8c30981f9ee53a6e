import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// How well a weighting recovers partnerships that really formed. See “Measuring the scores” in the Twinning documentation.
public struct EvaluationReport: Sendable {
    public struct Metrics: Sendable, Equatable {
        public let pairs: Int
        public let hitAt: [Int: Double]     // k → share of true pairs ranked ≤ k
        public let meanReciprocalRank: Double
        public let medianRank: Double
        /// Hromadas among the pairs, and the share of them with a true partner in their top 10.
        public let hromadas: Int
        public let hromadaHitAt10: Double
    }
    public static let cutoffs = [1, 5, 10, 50, 100]
    /// Method name ("weights", "proximity only", "gravity", "random (expected)") → metrics
    /// over every true pair.
    public let overall: [(method: String, metrics: Metrics)]
    /// The same over the pairs matched by name on both sides (`Tie.matchedByName`).
    public let nameMatched: [(method: String, metrics: Metrics)]
    /// Partner country → metrics, for the weights being evaluated.
    public let byCountry: [(country: String, metrics: Metrics)]
    public let candidates: Int
    /// True pairs whose partner is not among the candidates (left out of the metrics).
    public let outsideCandidates: Int
    /// Method → the rank of every true pair, in the order given (nil: the partner is not a
    /// candidate). The random baseline has no ranks, only expectations.
    public let pairRanks: [(method: String, ranks: [Int?])]

    /// Metrics from 1-based ranks; `hromadas[t]` is the hromada of the pair ranked `ranks[t]`.
    public static func metrics(ranks: [Int], hromadas: [Int]) -> Metrics {
        guard !ranks.isEmpty else {
            return Metrics(pairs: 0, hitAt: [:], meanReciprocalRank: 0, medianRank: 0, hromadas: 0, hromadaHitAt10: 0)
        }
        let sorted = ranks.sorted()
        let n = Double(ranks.count)
        var hits: [Int: Double] = [:]
        for k in cutoffs { hits[k] = Double(ranks.filter { $0 <= k }.count) / n }
        let mid = sorted.count / 2
        let median = sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
        var best: [Int: Int] = [:]
        for (rank, h) in zip(ranks, hromadas) { best[h] = min(best[h] ?? .max, rank) }
        return Metrics(pairs: ranks.count, hitAt: hits, meanReciprocalRank: ranks.reduce(0) { $0 + 1 / Double($1) } / n,
                       medianRank: median, hromadas: best.count,
                       hromadaHitAt10: Double(best.values.filter { $0 <= 10 }.count) / Double(best.count))
    }

    /// The expected metrics of ranking `candidates` partners in random order, for pairs of
    /// the given hromadas (a hromada with `t` true partners has one in a random top 10 with
    /// probability `1 − C(m − t, 10) / C(m, 10)`).
    public static func randomBaseline(hromadas: [Int], candidates m: Int) -> Metrics {
        var hits: [Int: Double] = [:]
        for k in cutoffs { hits[k] = Double(min(k, m)) / Double(max(m, 1)) }
        var harmonic = 0.0
        for r in 1...max(m, 1) { harmonic += 1 / Double(r) }
        let counts = Dictionary(grouping: hromadas, by: { $0 }).mapValues(\.count)
        let hit = counts.values.reduce(0.0) { sum, t in
            var miss = 1.0
            for k in 0..<min(10, m) { miss *= max(0, Double(m - t - k)) / Double(m - k) }
            return sum + 1 - miss
        }
        return Metrics(pairs: hromadas.count, hitAt: hits, meanReciprocalRank: harmonic / Double(max(m, 1)),
                       medianRank: Double(m + 1) / 2, hromadas: counts.count,
                       hromadaHitAt10: counts.isEmpty ? 0 : hit / Double(counts.count))
    }
}

public enum Evaluator {
    /// The weights as evaluation and tuning use them: without the fit (the offers are
    /// synthetic in the shipped data, and known ties say nothing of sign-ups' offers), so
    /// that what is measured is how well the components find the partnerships that formed.
    public static func honest(_ weights: Weights) -> Weights {
        var w = weights
        w[.fitShare] = 0
        return w
    }

    /// The 1-based rank of each pair's partner (a column of `model`) among the candidate
    /// columns for its row: rank 1 is the best; equal scores rank by lower index.
    /// Two streaming passes: the true partners' scores first, computed exactly as the
    /// second pass computes every score (a score taken another way could differ in its
    /// last bit and miscount ties), then the count of candidates that beat each.
    static func ranks(model: ScoreModel, pairs: [(row: Int, partner: Int)], candidates: [Bool]? = nil) -> [Int] {
        ranks(model: model, pairs: pairs, candidates: candidates, top: 0).ranks
    }

    /// The ranks as above, and each row's `top` best partners (columns, best first, in
    /// the same order: higher score, then lower index).
    /// `keep`: rank from scores kept in memory, in one pass (by default when they take at
    /// most ``keptScores``), or in two passes that keep nothing.
    static func ranks(model: ScoreModel, pairs: [(row: Int, partner: Int)], candidates: [Bool]? = nil,
                      top: Int, keep: Bool? = nil) -> (ranks: [Int], tops: [[Int]]) {
        let n = model.hromadas.count, m = model.partners.count
        if keep ?? (n * m <= keptScores) { return ranksFromKeptScores(model: model, pairs: pairs, candidates: candidates, top: top) }
        var trueScore = [Float](repeating: 0, count: pairs.count)
        let byRow = Dictionary(grouping: pairs.indices, by: { pairs[$0].row })
        trueScore.withUnsafeMutableBufferPointer { buffer in
            let trueScore = SharedBuffer(buffer)
            model.forEachSegment { s in
                for t in byRow[s.row] ?? [] where s.columns.contains(pairs[t].partner) {
                    trueScore[t] = s[pairs[t].partner - s.columns.lowerBound]
                }
            }
        }
        var better = [Int](repeating: 0, count: pairs.count)
        // Per row: its best `top` so far as (score, column), best first.
        var best = [[(Float, Int)]](repeating: [], count: top > 0 ? model.hromadas.count : 0)
        let targets = trueScore
        better.withUnsafeMutableBufferPointer { buffer in
        best.withUnsafeMutableBufferPointer { bestBuffer in
            let better = SharedBuffer(buffer), best = SharedBuffer(bestBuffer)
            model.forEachSegment { s in
                for t in byRow[s.row] ?? [] {
                    let target = targets[t], partner = pairs[t].partner
                    var count = 0
                    for c in 0..<s.columns.count where candidates?[s.columns.lowerBound + c] ?? true {
                        let x = s[c]
                        if x > target || (x == target && s.columns.lowerBound + c < partner) { count += 1 }
                    }
                    better[t] += count
                }
                guard top > 0 else { return }
                // Columns arrive in ascending order, so a later equal score never displaces an earlier one.
                var list = best[s.row]
                for c in 0..<s.columns.count where candidates?[s.columns.lowerBound + c] ?? true {
                    let x = s[c]
                    if list.count == top, let last = list.last, x <= last.0 { continue }
                    let at = list.firstIndex { x > $0.0 } ?? list.count
                    list.insert((x, s.columns.lowerBound + c), at: at)
                    if list.count > top { list.removeLast() }
                }
                best[s.row] = list
            }
        }}
        return (better.map { $0 + 1 }, best.map { $0.map(\.1) })
    }

    /// The most scores ``ranks(model:pairs:candidates:top:)`` keeps in memory to rank in
    /// one pass (256 MB; the shipped truth's 214 hromadas against 98,129 partners take 84 MB);
    /// beyond, it takes two passes.
    static let keptScores = 64 << 20

    /// The ranks and tops of ``ranks(model:pairs:candidates:top:)`` from one pass that keeps
    /// every score: the same counts, as the same scores are compared.
    static func ranksFromKeptScores(model: ScoreModel, pairs: [(row: Int, partner: Int)], candidates: [Bool]?,
                                    top: Int) -> (ranks: [Int], tops: [[Int]]) {
        let n = model.hromadas.count, m = model.partners.count
        let rows = Set(pairs.map(\.row))
        let wanted = (0..<n).map { rows.contains($0) || top > 0 }
        // Every row read below is written first: the rows of the pairs, or all for tops.
        var scores = [Float](unsafeUninitializedCapacity: n * m) { _, count in count = n * m }
        scores.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            model.forEachSegment(rows: wanted) { s in
                (shared.base + s.row * m + s.columns.lowerBound).update(from: s.scores, count: s.columns.count)
            }
        }
        guard !pairs.isEmpty || top > 0, n > 0, m > 0 else { return (pairs.map { _ in 1 }, top > 0 ? [[Int]](repeating: [], count: n) : []) }
        var ranks = [Int](repeating: 0, count: max(1, pairs.count))
        var tops = [[Int]](repeating: [], count: n)
        scores.withUnsafeBufferPointer { allBuffer in
            ranks.withUnsafeMutableBufferPointer { rankBuffer in
            tops.withUnsafeMutableBufferPointer { topBuffer in
                let ranks = SharedBuffer(rankBuffer), tops = SharedBuffer(topBuffer), kept = SharedBuffer(allBuffer)
                DispatchQueue.concurrentPerform(iterations: pairs.count) { t in
                    let row = kept.base + pairs[t].row * m, partner = pairs[t].partner, target = row[partner]
                    if let candidates {
                        var count = 0
                        for c in 0..<m where candidates[c] {
                            if row[c] > target || (row[c] == target && c < partner) { count += 1 }
                        }
                        ranks[t] = count + 1
                    } else {
                        ranks[t] = beating(target, in: UnsafePointer(row), m, before: partner) + 1
                    }
                }
                guard top > 0 else { return }
                DispatchQueue.concurrentPerform(iterations: n) { i in
                    let row = kept.base + i * m
                    var list: [(Float, Int)] = []
                    // Once the list is full, a run of eight none of which beats its last is passed over at once.
                    var floor = -Float.infinity, c = 0
                    while c < m {
                        if list.count == top && c + 8 <= m && candidates == nil
                            && all(UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self) .<= SIMD8(repeating: floor)) {
                            c += 8
                            continue
                        }
                        defer { c += 1 }
                        guard candidates?[c] ?? true else { continue }
                        let x = row[c]
                        if list.count == top && x <= floor { continue }
                        let at = list.firstIndex { x > $0.0 } ?? list.count
                        list.insert((x, c), at: at)
                        if list.count > top { list.removeLast() }
                        if list.count == top { floor = list[top - 1].0 }
                    }
                    tops[i] = list.map(\.1)
                }
            }}
        }
        return (Array(ranks.prefix(pairs.count)), top > 0 ? tops : [])
    }

    /// How many of `row[0..<m]` beat `target` at column `partner`: higher, or equal and
    /// before it (eight at a time).
    @inline(__always)
    static func beating(_ target: Float, in row: UnsafePointer<Float>, _ m: Int, before partner: Int) -> Int {
        let t = SIMD8<Float>(repeating: target), one = SIMD8<Int32>(repeating: 1)
        var lanes = SIMD8<Int32>(), c = 0
        while c + 8 <= m {
            lanes &+= SIMD8<Int32>().replacing(with: one, where: UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self) .> t)
            c += 8
        }
        var count = Int(lanes.wrappedSum())
        while c < m { if row[c] > target { count += 1 }; c += 1 }
        for c in 0..<partner where row[c] == target { count += 1 }
        return count
    }

    /// Ranks, for every true pair, the true partner among `candidates` (all partners when
    /// nil) by score for its hromada. The known ties the score learns from are `known`
    /// (the truth itself when nil): each hromada's own are never counted for it.
    public static func ranks(hromadas: Registry, partners: Registry, truth: [Tie], weights: Weights,
                             known: [IndexPair]? = nil, candidates: [Bool]? = nil) -> [Int?] {
        let context = ScoreContext(hromadas: hromadas, partners: partners, ties: known ?? truth.map(\.pair),
                                   priorStrength: weights[.priorStrength])
        return ranks(hromadas: hromadas, partners: partners, truth: truth, weights: weights, context: context, candidates: candidates)
    }

    static func ranks(hromadas: Registry, partners: Registry, truth: [Tie], weights: Weights, context: ScoreContext,
                      candidates: [Bool]?) -> [Int?] {
        let rows = Array(Set(truth.map(\.hromada))).sorted()
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let model = ScoreModel(hromadas: hromadas, partners: partners, weights: honest(weights), context: context, rows: rows)
        let ranked = ranks(model: model, pairs: truth.map { (rowOf[$0.hromada]!, $0.partner) }, candidates: candidates)
        return truth.indices.map { candidates?[truth[$0].partner] == false ? nil : ranked[$0] }
    }

    /// The full report: the weights (honest: without offers), proximity only, gravity and
    /// random, overall, on the name-matched pairs and per partner country.
    public static func evaluate(hromadas: Registry, partners: Registry, truth: [Tie], weights: Weights,
                                candidates: [Bool]? = nil) -> EvaluationReport {
        let methods: [(String, Weights)] = [
            ("weights", honest(weights)),
            ("proximity only", Weights(only: [.proximity: 1], parameters: weights)),
            ("gravity", Weights(only: [.gravity: 1], parameters: weights)),
        ]
        // One context for every method: the known ties are the truth (each hromada's own left out).
        let context = ScoreContext(hromadas: hromadas, partners: partners, ties: truth.map(\.pair), priorStrength: weights[.priorStrength])
        let ranked = methods.map {
            ($0.0, ranks(hromadas: hromadas, partners: partners, truth: truth, weights: $0.1, context: context, candidates: candidates))
        }
        let m = candidates?.filter { $0 }.count ?? partners.count
        func summary(_ subset: [Int]) -> [(method: String, metrics: EvaluationReport.Metrics)] {
            let kept = subset.filter { ranked[0].1[$0] != nil }
            return ranked.map { name, ranks in
                (name, EvaluationReport.metrics(ranks: kept.map { ranks[$0]! }, hromadas: kept.map { truth[$0].hromada }))
            } + [("random (expected)", EvaluationReport.randomBaseline(hromadas: kept.map { truth[$0].hromada }, candidates: m))]
        }
        var countries: [String: [Int]] = [:]
        for t in truth.indices where ranked[0].1[t] != nil { countries[partners.countries[truth[t].partner], default: []].append(t) }
        let outside = ranked[0].1.filter { $0 == nil }.count
        return EvaluationReport(
            overall: summary(Array(truth.indices)),
            nameMatched: summary(truth.indices.filter { truth[$0].matchedByName == true }),
            byCountry: countries.sorted { $0.value.count > $1.value.count || ($0.value.count == $1.value.count && $0.key < $1.key) }
                .map { country, pairs in
                    (country, EvaluationReport.metrics(ranks: pairs.map { ranked[0].1[$0]! }, hromadas: pairs.map { truth[$0].hromada }))
                },
            candidates: m, outsideCandidates: outside, pairRanks: ranked)
    }
}
