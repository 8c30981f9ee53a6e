import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// The components learnt from known ties: priors by hand, and a hromada's own ties never
/// counting for it.
@Suite struct ScoreContextTests {
    /// Hromadas A, B of oblast O and C of oblast Q; partners in DE (two NUTS 2 regions) and PL.
    static func registries() throws -> (Registry, Registry) {
        let h = try Registry.parse(Data("""
            id,name,level,country,region,population,lat,lon,need_energy
            A,A,city,UA,O,50000,50,30,1
            B,B,city,UA,O,20000,50.1,30,1
            C,C,city,UA,Q,90000,48,35,1

            """.utf8), file: "h.csv", side: .hromadas)
        let p = try Registry.parse(Data("""
            id,name,level,country,nuts2,region,population,lat,lon,offer_energy
            D1,D1,city,DE,DE11,DE111,90000,50,10,1
            D2,D2,city,DE,DE11,DE112,30000,50,10.5,1
            D3,D3,city,DE,DE21,DE211,40000,48,11,1
            P1,P1,city,PL,PL21,PL213,60000,50,20,1

            """.utf8), file: "p.csv", side: .partners)
        return (h, p)
    }

    @Test("priors by hand: the oblast's ties, smoothed towards all oblasts' shares")
    func priorsByHand() throws {
        let (h, p) = try Self.registries()
        // A twins with D1 and D3; C with P1. For B (no ties of its own), oblast O has n_o = 2.
        let context = ScoreContext(hromadas: h, partners: p, ties: [IndexPair(0, 0), IndexPair(0, 2), IndexPair(2, 3)], priorStrength: 5)
        let model = ScoreModel(hromadas: h, partners: p, context: context)
        // Countries: DE 2 ties, PL 1, N = 3, C = 2 → g_DE = 3/5, g_PL = 2/5.
        let pDE = (2 + 5 * 0.6) / (2 + 5.0), pPL = (0 + 5 * 0.4) / (2 + 5.0)
        #expect(abs(model.breakdown(hromada: 1, partner: 0)[.countryPrior].value - (1 + log10(pDE) / 4)) < 1e-6)
        #expect(abs(model.breakdown(hromada: 1, partner: 3)[.countryPrior].value - (1 + log10(pPL) / 4)) < 1e-6)
        // Region DE11 (one of D1's ties, DE has 2 regions): s = (1 + 1) / (2 + 2); p = (1 + 5·pDE·s) / 7.
        let pDE11 = (1 + 5 * pDE * 0.5) / 7
        #expect(abs(model.breakdown(hromada: 1, partner: 1)[.regionPrior].value - (1 + log10(pDE11) / 6)) < 1e-6)
        // Centres: D1 is the largest of DE11, D2 only of its NUTS 3, D3 of DE21.
        #expect((0..<4).map { model.breakdown(hromada: 1, partner: $0)[.centre].value } == [1, 0.5, 1, 1])
        // Capitals: A is O's largest hromada, B is not.
        #expect(model.breakdown(hromada: 0, partner: 1)[.capitals].value == 0.5 && model.breakdown(hromada: 1, partner: 1)[.capitals].value == 0)
    }

    @Test("a hromada's own ties never count for it: with them counted, its scores would change")
    func leaveOwnTiesOut() throws {
        let (h, p) = try Self.registries()
        var weights = Weights()
        for c in ScoreComponent.allCases { weights[c] = c.usesKnownTies && !c.inModel ? 1 : 0 }
        let context = ScoreContext(hromadas: h, partners: p, ties: [IndexPair(0, 0)])
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, context: context)
        let withoutTies = ScoreModel(hromadas: h, partners: p, weights: weights)
        // A's only tie is its own: A scores every partner as if nothing were known.
        for j in 0..<p.count {
            #expect(model.breakdown(hromada: 0, partner: j).score == withoutTies.breakdown(hromada: 0, partner: j).score)
        }
        // B, of the same oblast, learns from A's tie: D1 is tied in its oblast, popular, and DE and DE11 are likelier.
        let b = model.breakdown(hromada: 1, partner: 0)
        #expect(b[.ties].value == 1 && b[.popularity].value == 0.25)
        #expect(b[.countryPrior].value > model.breakdown(hromada: 1, partner: 3)[.countryPrior].value)
        #expect(b.score > model.breakdown(hromada: 1, partner: 3).score)
        // The streaming path agrees.
        let scores = model.scores(columns: 0..<p.count)
        for i in 0..<h.count {
            for j in 0..<p.count { #expect(abs(Double(scores[i * p.count + j]) - model.breakdown(hromada: i, partner: j).score) < 1e-6) }
        }
        // Evaluation learns from the truth, and ranks A's true partner D2 as if it were not known: P1 (the only
        // region of PL) and D1 (equal, lower index) come first. Were A's own tie counted, D2 would rank 1.
        let truth = [Tie(0, 1)]
        #expect(Evaluator.ranks(hromadas: h, partners: p, truth: truth, weights: weights) == [3])
    }
}
