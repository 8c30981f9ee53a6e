import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch
import SeededRandom
import LinearAlgebra

@Suite struct EvaluationTests {
    @Test("metrics checked by hand")
    func metricsByHand() {
        // Hromada 7 has pairs ranked 1 and 60, hromada 8 one ranked 3, hromada 9 one ranked 11.
        let m = EvaluationReport.metrics(ranks: [1, 3, 11, 60], hromadas: [7, 8, 9, 7])
        #expect(m.hitAt == [1: 0.25, 5: 0.5, 10: 0.5, 50: 0.75, 100: 1])
        #expect(abs(m.meanReciprocalRank - (1 + 1.0 / 3 + 1.0 / 11 + 1.0 / 60) / 4) < 1e-12)
        #expect(m.medianRank == 7)
        #expect(m.hromadas == 3 && abs(m.hromadaHitAt10 - 2.0 / 3) < 1e-12)
        let r = EvaluationReport.randomBaseline(hromadas: [0, 1, 2, 3], candidates: 4)
        #expect(r.hitAt[1] == 0.25 && r.hitAt[5] == 1 && r.medianRank == 2.5 && r.hromadaHitAt10 == 1)
        #expect(abs(r.meanReciprocalRank - (1 + 0.5 + 1.0 / 3 + 0.25) / 4) < 1e-12)
        // Among 100 candidates a hromada with 2 true partners has one in a random top 10 with
        // probability 1 − (90·89)/(100·99); one with a single partner, 0.1.
        let two = EvaluationReport.randomBaseline(hromadas: [5, 5, 6], candidates: 100)
        #expect(abs(two.hromadaHitAt10 - ((1 - 90.0 * 89 / (100 * 99)) + 0.1) / 2) < 1e-12)
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
    @Test("on a truth made by proximity alone, the fitted model ranks nearly every held-out nearest partner first; folds never share a hromada")
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
        let report = Tuner.tune(hromadas: h, partners: p, truth: truth, seed: 5, folds: 3)
        let logit = report.summaries.first { $0.method == .logit }!, defaults = report.summaries.first { $0.method == .defaults }!
        #expect(logit.pooled.hitAt[1]! >= 0.8 && logit.pooled.hitAt[10]! == 1, "held-out hit@1 \(logit.pooled.hitAt[1] ?? 0)")
        #expect(logit.trainMRR.mean > defaults.trainMRR.mean)
        // Every pair is held out exactly once, in the fold of its hromada, and no hromada is in two folds.
        #expect(report.folds.count == 3 && report.folds.map(\.testHromadas).reduce(0, +) == h.count)
        var foldOf: [Int: Int] = [:]
        for (t, f) in report.foldOfPair.enumerated() { #expect(foldOf.updateValue(f, forKey: truth[t].hromada) ?? f == f) }
        #expect(Set(report.foldOfPair) == [0, 1, 2])
        #expect(report.weights == report.weights.rounded(digits: 4))
        #expect(report.weights[.fitShare] == ScoreParameter.fitShare.defaultValue, "tuning leaves the fit's share as it is")
    }

    @Test("the likelihood scale is monotone, counts ties half, and is calibrated: pairs drawn from the model itself and held out fall evenly over it")
    func likelihoodCalibrated() throws {
        let scale = LikelihoodScale(reference: [0.3, 0.1, 0.2, 0.2])
        #expect(scale.reference == [0.1, 0.2, 0.2, 0.3])
        #expect([0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 1].map(scale.value) == [0, 0.125, 0.25, 0.5, 0.75, 0.875, 1])
        let grid = stride(from: 0.0, through: 0.4, by: 0.001).map(scale.value)
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 }, "monotone")
        #expect(LikelihoodScale(reference: []).value(0.5) == 0)
        // min_likelihood's floor: a components' score reaches it exactly when its likelihood reaches the minimum.
        for t in [0, 0.1, 0.125, 0.3, 0.5, 0.6, 0.875, 0.9, 1] {
            let floor = scale.threshold(t)
            for x in [0.05, 0.1, 0.1.nextUp, 0.15, 0.2, 0.2.nextUp, 0.25, 0.3, 0.3.nextUp, 0.5] {
                #expect((x >= floor) == (scale.value(x) >= t), "t \(t), x \(x), floor \(floor)")
            }
        }

        // Each hromada chooses one partner with probability ∝ exp(β·x); half the hromadas'
        // choices are the known ties the scale is made of, the other half are held out.
        let (h, p) = try randomRegistries(hromadas: 600, partners: 300, seed: 31)
        let components: [ScoreComponent] = [.proximity, .size, .town]
        var weights = Weights(only: Dictionary(uniqueKeysWithValues: zip(components, [4.0, 2.5, -3.0])))
        weights[.distanceScaleKm] = 500
        let chooser = ScoreModel(hromadas: h, partners: p, weights: weights)
        // The score is Σ|w|·c'/Σ|w|, a positive affine map of β·x: the logit's utility is the score times Σ|w|.
        let total = weights.magnitudes.total
        var rng = SplitMix64(seed: 99)
        var known: [IndexPair] = [], heldOut: [IndexPair] = []
        for i in 0..<h.count {
            let utilities = (0..<p.count).map { total * chooser.componentScore(hromada: i, partner: $0) }
            let top = utilities.max()!, odds = utilities.map { exp($0 - top) }, sum = odds.reduce(0, +)
            var u = rng.nextUnit() * sum, j = 0
            while j < p.count - 1 && u >= odds[j] { u -= odds[j]; j += 1 }
            if i % 2 == 0 { known.append(IndexPair(i, j)) } else { heldOut.append(IndexPair(i, j)) }
        }
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, context: ScoreContext(hromadas: h, partners: p, ties: known))
        let fitted = try #require(model.likelihood)
        #expect(fitted.reference.count == known.count)
        let values = heldOut.map { fitted.value(model.componentScore(hromada: $0.hromada, partner: $0.partner)) }.sorted()
        // Kolmogorov–Smirnov against the uniform distribution: under 1.36 / √n at the 5 % level.
        let n = Double(values.count)
        let distance = values.enumerated().map { k, x in max(abs(Double(k + 1) / n - x), abs(Double(k) / n - x)) }.max()!
        #expect(distance < 1.36 / n.squareRoot(), "KS distance \(distance) over \(values.count) held-out pairs")
        // A breakdown reports the same value.
        let pair = heldOut[0]
        #expect(model.breakdown(hromada: pair.hromada, partner: pair.partner).likelihood == fitted.value(model.componentScore(hromada: pair.hromada, partner: pair.partner)))
    }

    @Test("held-out ranks and top lists: one pass keeping the scores, two passes keeping none and a plain count agree")
    func ranksOnePassOrTwo() throws {
        // 5,000 partners: two scoring blocks; the default weights (the model's shapes and priors).
        let (h, p) = try randomRegistries(hromadas: 60, partners: 5000, seed: 8)
        let model = ScoreModel(hromadas: h, partners: p, context: ScoreContext(hromadas: h, partners: p, ties: [IndexPair(0, 1), IndexPair(3, 4000)]))
        var rng = SplitMix64(seed: 5)
        let pairs = (0..<200).map { _ in (row: Int(rng.next() % 60), partner: Int(rng.next() % 5000)) }
        let candidates = (0..<5000).map { _ in rng.next() % 4 != 0 }
        for allowed in [nil, candidates] {
            let one = Evaluator.ranks(model: model, pairs: pairs, candidates: allowed, top: 10, keep: true)
            let two = Evaluator.ranks(model: model, pairs: pairs, candidates: allowed, top: 10, keep: false)
            #expect(one.ranks == two.ranks && one.tops == two.tops)
            // The plain count over the scores as `scores(columns:)` makes them (the same kernel).
            let scores = model.scores(columns: 0..<5000)
            for (t, pair) in pairs.enumerated() {
                let row = Array(scores[(pair.row * 5000)..<((pair.row + 1) * 5000)]), target = row[pair.partner]
                let better = (0..<5000).filter { j in (allowed?[j] ?? true) && (row[j] > target || (row[j] == target && j < pair.partner)) }.count
                #expect(one.ranks[t] == better + 1)
            }
            let order = (0..<5000).filter { allowed?[$0] ?? true }.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            #expect(one.tops[0] == Array(order.prefix(10)))
        }
    }

    @Test("the conditional logit recovers known coefficients from choices drawn from the model itself")
    func conditionalLogitRecovers() throws {
        let (h, p) = try randomRegistries(hromadas: 400, partners: 300, seed: 21)
        let components: [ScoreComponent] = [.proximity, .size, .town]
        let truth = [4.0, 2.5, -3.0]
        var weights = Weights(only: Dictionary(uniqueKeysWithValues: zip(components, truth)))
        weights[.distanceScaleKm] = 500
        let model = ScoreModel(hromadas: h, partners: p, weights: weights)
        // Each hromada chooses two partners (independently) with probability ∝ exp(β·x).
        var rng = SplitMix64(seed: 77)
        var pairs: [(row: Int, partner: Int)] = []
        for i in 0..<h.count {
            let utilities = (0..<p.count).map { j in
                zip(components, truth).reduce(0.0) { $0 + $1.1 * model.breakdown(hromada: i, partner: j)[$1.0].value }
            }
            let top = utilities.max()!, odds = utilities.map { exp($0 - top) }, total = odds.reduce(0, +)
            for _ in 0..<2 {
                var u = rng.nextUnit() * total, j = 0
                while j < p.count - 1 && u >= odds[j] { u -= odds[j]; j += 1 }
                pairs.append((i, j))
            }
        }
        let fit = ConditionalLogit.fit(model: model, components: components, pairs: pairs)
        #expect(fit.converged)
        for (estimate, expected) in zip(fit.coefficients, truth) {
            #expect(abs(estimate - expected) < 0.2 * abs(expected), "\(fit.coefficients) against \(truth)")
        }

        // The point a fit reaches does not depend on where it starts nor on the order of its
        // sums: from another start, and with the choices in another order, the same
        // coefficients to 1e-9 and the same printed weights; at them the gradient, summed
        // in double precision, is zero; the single-precision pass (BLAS Gram matrices,
        // whose order is the CPU's kernels') agrees only roughly.
        let printed = { (c: [Double]) in c.map { String(format: "%.4f", $0) } }
        for other in [ConditionalLogit.fit(model: model, components: components, pairs: pairs, start: [-1, 7, 2]),
                      ConditionalLogit.fit(model: model, components: components, pairs: pairs.reversed())] {
            #expect(printed(other.coefficients) == printed(fit.coefficients))
            #expect(zip(other.coefficients, fit.coefficients).allSatisfy { abs($0 - $1) < 1e-9 }, "\(other.coefficients) against \(fit.coefficients)")
        }
        // Steps from a Hessian taken elsewhere (at β = 0, as a fold starts from the fit on
        // every pair), corrected by BFGS after each step: the same point.
        let elsewhere = ConditionalLogit.pass(model: model, components: components, pairs: pairs, beta: [0, 0, 0]).hessian
        let warm = ConditionalLogit.fit(model: model, components: components, pairs: pairs, start: [1, 1, 1], hessian: elsewhere)
        #expect(warm.converged && warm.iterations == 0)
        #expect(zip(warm.coefficients, fit.coefficients).allSatisfy { abs($0 - $1) < 1e-9 }, "\(warm.coefficients) against \(fit.coefficients)")
        // From a start too far for that Hessian the polish stalls, and single-precision Newton
        // steps take over from where it got: the same point again.
        let far = ConditionalLogit.fit(model: model, components: components, pairs: pairs, start: [40, -30, 25], hessian: elsewhere)
        #expect(far.converged && far.iterations > 0, "\(far.iterations) Newton steps")
        #expect(zip(far.coefficients, fit.coefficients).allSatisfy { abs($0 - $1) < 1e-9 }, "\(far.coefficients) against \(fit.coefficients)")
        let ridge = 1e-6 * Double(pairs.count)
        let gradient = ConditionalLogit.exactGradient(model: model, components: components, pairs: pairs, beta: fit.coefficients).gradient
        #expect(zip(gradient, fit.coefficients).allSatisfy { abs($0 - ridge * $1) < 1e-10 }, "gradient \(gradient)")
        let single = ConditionalLogit.pass(model: model, components: components, pairs: pairs, beta: fit.coefficients)
        let exact = ConditionalLogit.exactGradient(model: model, components: components, pairs: pairs, beta: fit.coefficients)
        #expect(abs(single.logLikelihood - exact.logLikelihood) < 1e-3 * abs(exact.logLikelihood))
    }
}

@Suite struct FitsTogetherTests {
    @Test("fits made together in lockstep, sharing a pass's components, are each fit made alone, to the last bit")
    func sameAsAlone() throws {
        let (h, p) = try randomRegistries(hromadas: 60, partners: 2000, seed: 5)
        var rng = SplitMix64(seed: 9)
        let pairs = (0..<180).map { _ in (row: Int(rng.next() % 60), partner: Int(rng.next() % 2000)) }
        // Three folds: each learns its priors from its own training pairs, as tune's do.
        let components: [ScoreComponent] = [.proximity, .size, .town, .regionLogPrior, .areaLogPrior]
        let folds = (0..<3).map { f in pairs.indices.filter { $0 % 3 != f } }
        let weights = Weights(only: [:])
        let models = folds.map { train in
            ScoreModel(hromadas: h, partners: p, weights: weights, context: knowing(train.map { (pairs[$0].row, pairs[$0].partner) }, h, p))
        }
        let start = [1.0, 0.5, 0, 0.5, 0.5]
        let problems = zip(folds, models).map { train, model in
            ConditionalLogit.Choices(pairs: train.map { pairs[$0] }, model: model, own: components.map(\.usesKnownTies))
        }
        // The shared model knows no tie: its priors are never read.
        let together = ConditionalLogit.fitTogether(problems, model: ScoreModel(hromadas: h, partners: p, weights: weights),
                                                    components: components, starts: [start, start, start], ridge: 1e-5,
                                                    tolerance: 1e-9)
        for (f, train) in folds.enumerated() {
            let alone = ConditionalLogit.fit(model: models[f], components: components, pairs: train.map { pairs[$0] }, start: start,
                                             ridge: 1e-5, tolerance: 1e-9)
            #expect(alone.converged && together[f].converged)
            #expect(together[f].coefficients == alone.coefficients, "fold \(f)")
            #expect(together[f].iterations == alone.iterations)
        }
        // The folds' priors differ, so their fits do.
        #expect(together[0].coefficients != together[1].coefficients)
    }
}

@Suite struct BFGSTests {
    @Test("the BFGS update meets the secant condition h·s = y, stays symmetric, and is skipped without curvature")
    func secant() {
        let h = MatrixD(rows: 3, columns: 3, storage: [4, 1, 0, 1, 3, 0.5, 0, 0.5, 2])
        let s = [0.3, -0.2, 0.1], y = [1.0, -0.4, 0.5]
        let updated = ConditionalLogit.bfgs(h, step: s, change: y)
        for r in 0..<3 {
            let hs = (0..<3).reduce(0.0) { $0 + updated.storage[r * 3 + $1] * s[$1] }
            #expect(abs(hs - y[r]) < 1e-12, "row \(r): \(hs) against \(y[r])")
            for c in 0..<3 { #expect(abs(updated.storage[r * 3 + c] - updated.storage[c * 3 + r]) < 1e-12) }
        }
        #expect(ConditionalLogit.bfgs(h, step: s, change: y.map { -$0 }).storage == h.storage, "yᵀs < 0: no update")
    }
}

extension Tie {
    /// An existing tie made in code.
    init(_ hromada: Int, _ partner: Int, _ status: Status = .existing) {
        self.init(hromada: hromada, partner: partner, status: status, source: Provenance(status.rawValue, .code))
    }
}
