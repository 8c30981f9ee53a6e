import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch
@testable import TwinningBatch

/// One row per mistake in a weights, rules or job file: the exact `file:line:column`
/// and message a user gets.
@Suite struct YAMLInputTests {
    enum Kind { case weights, rules, job }

    static let cases: [(String, Kind, String, [String])] = [
        ("misspelt weight", .weights, "town: 0.5\nproximty: 0.2\n",
         ["w.yaml:2:1: unknown weights key \"proximty\"; did you mean \"proximity\"?"]),
        ("weight not a number", .weights, "town: lots\n", ["w.yaml:1:7: town must be a finite number, found \"lots\""]),
        ("weight NaN", .weights, "town: .nan\n", ["w.yaml:1:7: town must be a finite number, found \".nan\""]),
        ("hexadecimal weight", .weights, "town: 0x10\n", ["w.yaml:1:7: town must be a finite number, found \"0x10\""]),
        ("the retired needs weight", .weights, "proximity: -0.5\nneeds: 0.55\n",
         ["w.yaml:2:1: needs is no longer a weight: how well offers meet needs is the pair's fit, which counts as fit_share of the score "
          + "(default 0.3) where the partner's offers come from sign-ups; write fit_share: instead"]),
        ("fit share out of range", .weights, "fit_share: 1.5\n", ["w.yaml:1:12: fit_share must be between 0 and 1, found 1.5"]),
        ("size scale out of range", .weights, "size_scale: 0.001\n",
         ["w.yaml:1:13: size_scale must be between 0.05 and 1000, found 0.001"]),
        ("distance scale out of range", .weights, "distance_scale_km: 0.00001\n",
         ["w.yaml:1:20: distance_scale_km must be between 1 and 1000000, found 0.00001"]),
        ("all weights zero", .weights, ScoreComponent.allCases.map { "\($0.rawValue): 0\n" }.joined(),
         ["w.yaml: all weights are 0: at least one must be non-zero"]),
        ("YAML syntax", .weights, "town: [0.5\n", ["w.yaml:2:1: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence)"]),
        ("not a mapping", .weights, "- 0.5\n", ["w.yaml:1:1: expected a mapping of weights keys (profile, size, proximity, ties, gravity, town, centre, country_prior, "
         + "region_prior, popularity, capitals, upward, km, km_over_100, km_over_200, km_over_500, km_over_1000, km_over_2000, ratio, "
         + "ratio_over_tenth, ratio_over_even, ratio_over_tenfold, partner_over_1k, partner_over_5k, partner_over_20k, partner_over_100k, "
         + "partner_over_500k, country_log_prior, region_log_prior, area_log_prior, size_scale, distance_scale_km, gravity_size, "
         + "prior_strength, fit_share, trained_on)"]),
        ("misspelt rule", .rules, "min_likelihod: 0.3\n", ["r.yaml:1:1: unknown rules key \"min_likelihod\"; did you mean \"min_likelihood\"?"]),
        ("min_likelihood out of range", .rules, "min_likelihood: 1.5\n", ["r.yaml:1:17: min_likelihood must be a number between 0 and 1, found 1.5"]),
        ("min_fit out of range", .rules, "min_fit: -0.1\n", ["r.yaml:1:10: min_fit must be a number between 0 and 1, found -0.1"]),
        ("the retired min_score", .rules, "eu_members_only: true\nmin_score: 0.45\n",
         ["r.yaml:2:1: min_score is retired: the score has no scale of its own. Write min_likelihood (the share of known partnerships a pair "
          + "must be more typical than, such as 0.2) or min_fit (how well a partner's offers must meet the hromada's needs, from 0 to 1)"]),
        ("eu_members_only not a bool", .rules, "eu_members_only: yes\n", ["r.yaml:1:18: eu_members_only must be true or false, found \"yes\""]),
        ("levels value a scalar", .rules, "levels:\n  village: city\n",
         ["r.yaml:2:12: levels.village must be a list of partner levels such as [village, settlement]"]),
        ("unknown level", .rules, "levels:\n  village: [town]\n", ["r.yaml:2:13: unknown level \"town\"; expected village, settlement, city, region"]),
        ("bad pair entry", .rules, "forbidden:\n  - [UA1]\n", ["r.yaml:2:5: each forbidden entry must be [hromada id, partner id]"]),
        ("pair listed twice", .rules, "locked:\n  - [UA1, PL_1]\n  - [UA1, PL_1]\n",
         ["r.yaml:3:5: pair UA1, PL_1 is listed twice in locked (first on line 2)"]),
        ("locked and forbidden", .rules, "locked:\n  - [UA1, PL_1]\nforbidden:\n  - [UA1, PL_1]\n",
         ["r.yaml:2:5: pair UA1, PL_1 is locked here and forbidden on line 4: remove one of the two"]),
        ("negative cap", .rules, "country_caps:\n  PL: -3\n", ["r.yaml:2:7: country_caps.PL must be a whole number ≥ 0, found \"-3\""]),
        ("distance of 0", .rules, "max_distance_km: 0\n", ["r.yaml:1:18: max_distance_km must be a distance in km between 1 and 40000, found 0"]),
        ("both cap kinds", .rules, "country_caps:\n  PL: 3\nregion_caps:\n  PL213: 1\n",
         ["r.yaml:3:1: region_caps groups partners by region, country_caps (line 1) by country: caps and minimums must all be by country or all by region"]),
        ("misspelt job key", .job, "hromadas: h.csv\npartners: p.csv\nstore: s.sqlite\noutput: out\nwieghts: w.yaml\nscenarios:\n  - name: a\n",
         ["j.yaml:5:1: unknown job key \"wieghts\"; expected one of hromadas, partners, ties, signups, store, output, scenarios"]),
        ("misspelt scenario key", .job, "hromadas: h.csv\npartners: p.csv\nstore: s.sqlite\noutput: out\nscenarios:\n  - name: a\n    incumbancy_bonus: 0.1\n",
         ["j.yaml:7:5: unknown scenario key \"incumbancy_bonus\"; did you mean \"incumbency_bonus\"?"]),
        ("bonus NaN", .job, "hromadas: h.csv\npartners: p.csv\nstore: s.sqlite\noutput: out\nscenarios:\n  - name: a\n    incumbency_bonus: .nan\n",
         ["j.yaml:7:23: incumbency_bonus must be a number between 0 and 1, found \".nan\""]),
        ("missing store", .job, "hromadas: h.csv\npartners: p.csv\noutput: out\nscenarios:\n  - name: a\n",
         ["j.yaml: missing store; a job file needs hromadas, partners, store, output and scenarios"]),
        ("scenario twice", .job, "hromadas: h.csv\npartners: p.csv\nstore: s\noutput: o\nscenarios:\n  - name: a\n  - name: a\n",
         ["j.yaml:7:5: scenario a is listed twice (first on line 6); names must be different"]),
    ]

    @Test("each mistake is reported at its line and column", arguments: cases.indices)
    func catalogue(_ k: Int) {
        let (what, kind, text, expected) = Self.cases[k]
        do {
            switch kind {
            case .weights: _ = try Weights.parse(text, file: "w.yaml")
            case .rules: _ = try Rules.parse(text, file: "r.yaml")
            case .job: _ = try Job.parse(text, file: "j.yaml")
            }
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.errors.map(\.description) == expected, "\(what)")
        }
    }

    @Test("good files read back what they say")
    func good() throws {
        let w = try Weights.parse("town: 0.4\nproximity: -0.2\ndistance_scale_km: 500\nfit_share: 0.25\n", file: "w.yaml")
        #expect(w[.town] == 0.4 && w[.fitShare] == 0.25 && w[.proximity] == -0.2 && w[.size] == ScoreComponent.size.defaultWeight && w.distanceScaleKm == 500)
        #expect(try Weights.parse(w.yaml, file: "again.yaml") == w)
        let r = try Rules.parse("min_likelihood: 0.3\nmin_fit: 0.25\nlevels:\n  village: [village, settlement]\ncountry_caps:\n  PL: 3\n", file: "r.yaml")
        #expect(r.rule(MinimumLikelihood.self)?.value == 0.3 && r.rule(MinimumFit.self)?.value == 0.25)
        #expect(r.rule(LevelPairs.self)?.allowed == [.village: [.village, .settlement]])
        #expect(r.rule(CountryCaps.self)?.limits.mapValues(\.value) == ["PL": 3])
        let j = try Job.parse("hromadas: ../h.csv\npartners: p.csv\nstore: s.sqlite\noutput: out\nscenarios:\n  - name: a\n    incumbency_bonus: 0.02\n",
                              file: "jobs/j.yaml")
        #expect(j.hromadas == "h.csv" && j.partners == "jobs/p.csv" && j.scenarios.first?.incumbencyBonus == 0.02)
    }

    @Test("rules naming unknown ids are problems of the rules file, with the closest ids")
    func unknownIDs() throws {
        let h = try Registry.parse(Data("id,name,level,country,population,lat,lon,need_energy\nUA1,A,village,UA,10,50,30,1\n".utf8),
                                   file: "h.csv", side: .hromadas)
        let p = try Registry.parse(Data("id,name,level,country,population,lat,lon,offer_energy\nPL_1,P,city,PL,10,50,20,1\n".utf8),
                                   file: "p.csv", side: .partners)
        let rules = try Rules.parse("forbidden:\n  - [UA1, PL_2]\nlocked:\n  - [UA7, PL_1]\n", file: "r.yaml")
        #expect(throws: InputErrors.self) { try Restrictions(rules: rules, ties: [], hromadas: h, partners: p) }
        do { _ = try Restrictions(rules: rules, ties: [], hromadas: h, partners: p) } catch {
            #expect(error.errors.map(\.description) == [
                "r.yaml:2:5: forbidden pair names an unknown partner id \"PL_2\" (not in p.csv); did you mean \"PL_1\"?",
                "r.yaml:4:5: locked pair names an unknown hromada id \"UA7\" (not in h.csv); did you mean \"UA1\"?",
            ])
        }
    }

    @Test("decisions: quoted notes with commas and line breaks, blank lines, exact lines for problems")
    func decisions() throws {
        let text = "ua_id,eu_id,decision,note\n\nUA1,PL_1,accept,\"met twice, both keen\"\n\nUA2,PL_2,reject,\"no common\nlanguage\"\nUA3,PL_3,maybe,x\n"
        do {
            _ = try DecisionFile.parse(Data(text.utf8), file: "d.csv", decidedAt: "now")
            Issue.record("accepted a bad decision")
        } catch {
            #expect(error.errors.map(\.description) == ["d.csv:7:3: decision must be accept, reject or revoke, found \"maybe\""])
        }
        let good = try DecisionFile.parse(Data(text.replacingOccurrences(of: "maybe", with: "accept").utf8), file: "d.csv", decidedAt: "now")
        #expect(good.map(\.note) == ["met twice, both keen", "no common\nlanguage", "x"])
        #expect(good.map(\.kind) == [.accept, .reject, .accept])
    }
}

@Suite struct TrainedWeightsTests {
    @Test("trained_on round-trips through the YAML tune writes, and a wrong shape is named by line and column")
    func roundTrip() throws {
        var w = Weights.defaults.rounded(digits: 4)
        w.trainedOn = Weights.Training(truth: "data dir/ties: 2026.csv", sha256: String(repeating: "ab", count: 32), hromadas: ["UA1", "UA#2"])
        let read = try Weights.parse(w.yaml, file: "w.yaml")
        #expect(read == w)
        #expect(throws: InputErrors.self) { try Weights.parse("trained_on: \"old string\"\ntown: 1\n", file: "w.yaml") }
        do { _ = try Weights.parse("trained_on: \"old string\"\ntown: 1\n", file: "w.yaml") } catch {
            #expect(error.description.contains("w.yaml:1:13: expected a mapping of trained_on keys (truth, sha256, hromadas)"), "\(error)")
        }
    }
}

/// The documentation lists every rule and every score component: adding one without saying
/// what it is fails here.
@Suite struct DocumentationTests {
    static let articles = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Twinning/Twinning.docc").standardized

    @Test("DataModel lists every rule with its key and type; HowAScoreIsMade every score component")
    func articlesAreWhole() throws {
        let model = try String(contentsOf: Self.articles.appendingPathComponent("DataModel.md"), encoding: .utf8)
        for kind in Rules.kinds {
            #expect(model.contains("| `\(kind.key)` | `\(String(describing: kind))` |"), "DataModel.md does not list \(kind.key)")
        }
        let score = try String(contentsOf: Self.articles.appendingPathComponent("HowAScoreIsMade.md"), encoding: .utf8)
        for component in ScoreComponent.allCases {
            #expect(score.contains("| `\(component.rawValue)` |"), "HowAScoreIsMade.md does not list \(component.rawValue)")
        }
    }
}

@Suite struct WeightsFileTests {
    @Test("a weights file that weighs some component weighs them all (the rest 0); one of parameters alone keeps the defaults")
    func componentsTogether() throws {
        let some = try Weights.parse("proximity: 1\nsize: 0.5\n", file: "w.yaml")
        #expect(ScoreComponent.allCases.filter { some[$0] != 0 } == [.size, .proximity])
        let parameters = try Weights.parse("fit_share: 0.5\n", file: "w.yaml")
        #expect(ScoreComponent.allCases.allSatisfy { parameters[$0] == Weights.defaults[$0] } && parameters[.fitShare] == 0.5)
    }
}
