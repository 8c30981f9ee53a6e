import Foundation
import Testing
@testable import Twinning
import SeededRandom

@Suite struct EvaluationTests {
    @Test("metrics checked by hand")
    func metricsByHand() {
        let m = EvaluationReport.metrics(ranks: [1, 3, 10, 60])
        #expect(m.hitAt == [1: 0.25, 5: 0.5, 10: 0.75, 50: 0.75])
        #expect(abs(m.meanReciprocalRank - (1 + 1.0 / 3 + 0.1 + 1.0 / 60) / 4) < 1e-12)
        #expect(m.medianRank == 6.5)
        let r = EvaluationReport.randomBaseline(pairs: 4, candidates: 4)
        #expect(r.hitAt[1] == 0.25 && r.hitAt[5] == 1 && r.medianRank == 2.5)
        #expect(abs(r.meanReciprocalRank - (1 + 0.5 + 1.0 / 3 + 0.25) / 4) < 1e-12)
    }

    @Test("ranks: the true partner's place among candidates, ties by index, non-candidates left out")
    func ranksOnTinyCase() throws {
        let h = try Registry.parse(Data("id,name,level,country,population,lat,lon,need_energy\nUA1,A,city,UA,1000,50,30,1\n".utf8),
                                   file: "h.csv", side: .hromadas)
        // Distances from (50, 30): P0 far, P1 near, P2 middle, P3 same place as P1.
        let p = try Registry.parse(Data("""
            id,name,level,country,population,lat,lon,volunteer,offer_energy
            P0,a,city,PL,1000,40,10,1,1
            P1,b,city,PL,1000,50.5,30,1,1
            P2,c,city,PL,1000,52,30,0,1
            P3,d,city,PL,1000,50.5,30,1,1

            """.utf8), file: "p.csv", side: .partners)
        let w = Weights(only: [.proximity: 1])
        let truth = [Tie(0, 2), Tie(0, 3)]
        #expect(Evaluator.ranks(hromadas: h, partners: p, truth: truth, weights: w) == [3, 2])
        #expect(Evaluator.ranks(hromadas: h, partners: p, truth: truth, weights: w, candidates: p.volunteers) == [nil, 2])
    }
}

@Suite struct TuningTests {
    @Test("on a truth made by proximity alone, tuning finds proximity and ranks every partner first")
    func recoversKnownWeights() throws {
        let (h, p) = try randomRegistries(hromadas: 30, partners: 200, seed: 12)
        // The true partner of each hromada: its nearest partner.
        var truth: [Tie] = []
        for i in 0..<h.count {
            let nearest = (0..<p.count).min { a, b in
                ScoreModel.haversineKm(lat1: h.latitudes[i], lon1: h.longitudes[i], lat2: p.latitudes[a], lon2: p.longitudes[a])
                    < ScoreModel.haversineKm(lat1: h.latitudes[i], lon1: h.longitudes[i], lat2: p.latitudes[b], lon2: p.longitudes[b])
            }!
            truth.append(Tie(i, nearest))
        }
        let report = Tuner.tune(hromadas: h, partners: p, truth: truth, seed: 5, folds: 3, randomTrials: 20)
        let w = report.weights
        #expect(w[.proximity] > max(w[.needs], w[.profile], w[.size]), "\(w)")
        let best = report.summaries.first { $0.method == report.best }!, defaults = report.summaries[0]
        #expect(best.pooled.hitAt[1] == 1, "held-out hit@1 \(best.pooled.hitAt[1] ?? 0)")
        #expect(best.trainMRR.mean > defaults.trainMRR.mean)
        // Every pair is held out exactly once, in the fold of its hromada.
        #expect(report.folds.count == 3 && report.folds.map(\.testHromadas).reduce(0, +) == h.count)
        #expect(report.heldOutRanks[report.best]!.allSatisfy { $0 >= 1 } && Set(report.foldOfPair) == [0, 1, 2])
        #expect(w == w.rounded(digits: 4))
    }

    @Test("logistic regression recovers the sign and order of known coefficients")
    func logisticFit() {
        // One component drives the outcome: large positive coefficient for it, small for others.
        var rng = SplitMix64(seed: 3)
        let m = 400, rows = 20
        var comps = [[Float]](repeating: [Float](repeating: 0, count: rows * m), count: 4)
        for c in 0..<4 { for k in 0..<(rows * m) { comps[c][k] = Float.random(in: 0..<1, using: &rng) } }
        // Positives: in each row the partner with the highest component 2 ("size").
        let positives = (0..<rows).map { r in (row: r, partner: (0..<m).max { comps[2][r * m + $0] < comps[2][r * m + $1] }!) }
        let beta = Tuner.logisticFit(comps, m: m, positives: positives, rng: &rng)
        #expect(beta[2] > 0 && beta[2] > 3 * abs(beta[0]) && beta[2] > 3 * abs(beta[1]) && beta[2] > 3 * abs(beta[3]), "\(beta)")
    }
}

extension Tie {
    /// An existing tie made in code.
    init(_ hromada: Int, _ partner: Int, _ status: Status = .existing) {
        self.init(hromada: hromada, partner: partner, status: status, source: Provenance(status.rawValue, .code))
    }
}
