import Foundation
import Testing
import TwinningTestSupport
import Assignment
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// What coordinators do with `match`, `explain` and `shortlist`, on small files whose
/// answers are known: names in both scripts, sign-ups and top-ups, exclusions, minimums
/// with caps, files for spreadsheets.
@Suite struct CoordinatorTests {
    static let hromadas = """
        id,name,name_en,level,country,region,population,lat,lon,slots,seeking,status,need_energy,need_water,need_health
        UA1,Київська,Kyivska,city,UA,Kyiv Oblast,50000,50.4,30.5,1,,not_occupied,0.9,0.1,0.1
        UA2,Бетівська,Betivska,village,UA,Kyiv Oblast,3000,50.1,30.9,1,,not_occupied,0.8,0.2,0.1
        UA3,Гаївська,Haivska,settlement,UA,Lviv Oblast,12000,49.8,24.0,3,,not_occupied,0.1,0.9,0.3
        UA4,Деражненська,Derazhnenska,city,UA,Luhansk Oblast,80000,48.6,39.3,2,,occupied,0.2,0.2,0.9
        UA5,Ємільчинська,Yemilchynska,village,UA,Odesa Oblast,2000,46.5,30.7,1,0,not_occupied,0.5,0.5,0.5

        """
    static let partners = """
        id,name,name_en,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy,offer_water,offer_health
        PL_1,Kraków,Kraków,city,PL,1,PL213,780000,50.06,19.94,1,1,0.9,0.2,0.1
        PL_2,Wieliczka,Wieliczka,settlement,PL,1,PL213,23000,49.99,20.06,1,1,0.7,0.3,0.2
        DE_1,Jena,Jena,city,DE,1,DEG03,110000,50.93,11.59,2,1,0.1,0.9,0.4
        EL_1,Αθήνα,Athina,city,EL,1,EL303,660000,37.98,23.72,1,1,0.3,0.6,0.8
        BG_1,Пловдив,Plovdiv,city,BG,1,BG421,340000,42.14,24.75,1,1,0.6,0.4,0.5
        NO_1,Tromsø,Tromsø,city,NO,0,NO074,77000,69.65,18.96,1,1,0.2,0.2,0.9
        LT_1,Vilnius,Vilnius,city,LT,1,LT011,540000,54.69,25.28,1,0,0.8,0.8,0.8

        """

    func setUp(hromadas: String = Self.hromadas, ties: String = "ua_id,eu_id,status\nUA3,DE_1,existing\n",
               rules: String? = nil) throws -> URL {
        let dir = try scratchDirectory()
        try hromadas.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try Self.partners.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try ties.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        if let rules { try rules.write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8) }
        return dir
    }

    func match(_ dir: URL, rules: Bool = false, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try runTwinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--out", "o"]
                        + (rules ? ["--rules", "r.yaml"] : []) + extra, in: dir)
    }

    /// A CSV the tool wrote, each row's cells by header.
    func table(_ dir: URL, _ file: String) throws -> [[String: String]] {
        let table = try CSVTable.parse(Data(contentsOf: dir.appendingPathComponent("o/\(file)")), file: file)
        return (0..<table.count).map { r in Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, table.string(r, $0)) }) }
    }

    @Test("names in both scripts, oblasts, alternatives with who holds them, unmatched with reasons; CSV and JSON carry the same fields")
    func filesForSpreadsheets() throws {
        let dir = try setUp(rules: "partner_countries: [PL]\n")
        let result = try match(dir, rules: true)
        #expect(result.status == 0, "\(result.stderr)")
        let proposals = try table(dir, "proposals.csv")
        let kyivska = try #require(proposals.first { $0["hromada_id"] == "UA1" })
        #expect(kyivska["hromada_name"] == "Київська" && kyivska["hromada_name_latin"] == "Kyivska" && kyivska["hromada_region"] == "Kyiv Oblast")
        // Two PL partners for three seeking hromadas: one is left short, and says why.
        let unmatched = try table(dir, "unmatched.csv")
        #expect(unmatched.count == 1)
        #expect(unmatched.first?["reason"] == "its acceptable partners are all taken by better-scoring pairs", "\(unmatched)")
        #expect(unmatched.first?["hromada_name"]?.isEmpty == false && unmatched.first?["hromada_region"]?.isEmpty == false)
        // Each alternative is held by the other hromada, since both PL partners are taken.
        let alternatives = try table(dir, "alternatives.csv")
        #expect(!alternatives.isEmpty)
        for a in alternatives {
            let holder = proposals.first { $0["partner_id"] == a["partner_id"] }
            #expect(a["held_by_id"] == holder?["hromada_id"], "\(a)")
            #expect(a["held_by_name"] == holder?["hromada_name"])
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("o/proposals.json"))) as? [String: Any]
        for (name, rows) in [("proposals", proposals), ("alternatives", alternatives), ("unmatched", unmatched)] {
            let records = try #require(json?[name] as? [[String: Any]])
            #expect(records.count == rows.count)
            for (record, row) in zip(records, rows) { #expect(Set(record.keys) == Set(row.keys), "\(name)") }
        }
        #expect(json?["schema_version"] as? Int == ProposalTable.schemaVersion)
    }

    @Test("--excel: a UTF-8 BOM, and Python's csv module with utf-8-sig (as Excel reads it) gets every name back")
    func excel() throws {
        let dir = try setUp()
        #expect(try match(dir, ["--excel"]).status == 0)
        let bytes = try Data(contentsOf: dir.appendingPathComponent("o/proposals.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let script = """
            import csv, sys
            for name in ["proposals.csv", "alternatives.csv", "unmatched.csv"]:
                with open("o/" + name, newline="", encoding="utf-8-sig") as f:
                    rows = list(csv.DictReader(f))
                for r in rows:
                    print(name, *(r.get(k, "") for k in ["hromada_id", "hromada_name", "partner_id", "partner_name", "partner_name_latin"]), sep="|")
            """
        let out = try ReadmeTests.shell("python3 -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))'", in: dir, path: "/usr/bin")
        // Every name Python reads is the name in the inputs, in its own script and in Latin letters.
        let h = try Registry.load(path: dir.appendingPathComponent("h.csv").path, side: .hromadas)
        let p = try Registry.load(path: dir.appendingPathComponent("p.csv").path, side: .partners)
        var checked = 0
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            try #require(f.count == 6, "\(line)")
            if let i = h.index()[f[1]] { #expect(f[2] == h.names[i], "\(line)"); checked += 1 }
            if let j = p.index()[f[3]] { #expect(f[4] == p.names[j] && f[5] == p.latinNames[j], "\(line)"); checked += 1 }
        }
        #expect(checked >= 8)
        #expect(out.contains("Київська") && (out.contains("Αθήνα") || out.contains("Пловдив")), "\(out)")
        #expect(!out.contains("Ã") && !out.contains("\u{FEFF}"), "\(out)")
    }

    @Test("sign-ups and top-ups: slots are partners wanted in all; seeking 1 tops up, 0 and the default for partnered hromadas do not")
    func topUps() throws {
        // UA3 (3 slots) has DE_1 already: by default it is not seeking.
        var dir = try setUp()
        #expect(try match(dir).status == 0)
        #expect(try table(dir, "proposals.csv").filter { $0["hromada_id"] == "UA3" }.isEmpty)
        #expect(try table(dir, "proposals.csv").filter { $0["hromada_id"] == "UA5" }.isEmpty, "seeking 0 got a partner")
        // Signed up: it gets up to 2 more, never DE_1 again.
        dir = try setUp(hromadas: Self.hromadas.replacingOccurrences(of: "3,,not_occupied,0.1", with: "3,1,not_occupied,0.1"))
        let result = try match(dir)
        #expect(result.status == 0, "\(result.stderr)")
        let ua3 = try table(dir, "proposals.csv").filter { $0["hromada_id"] == "UA3" }
        #expect(ua3.count == 2 && !ua3.contains { $0["partner_id"] == "DE_1" }, "\(ua3)")
    }

    @Test("exclusions by oblast, by status, by partner population and country", arguments: [
        ("exclude_oblasts: [Kyiv Oblast]\n", ["UA1", "UA2"], [String]()),
        ("exclude_status: [occupied]\n", ["UA4"], []),
        ("partner_population: [1000, 500000]\n", [], ["PL_1", "EL_1", "LT_1"]),
        ("partner_countries: [PL, DE]\n", [], ["EL_1", "BG_1", "NO_1"]),
    ])
    func exclusions(rules: String, hromadasOut: [String], partnersOut: [String]) throws {
        let dir = try setUp(rules: rules)
        let result = try match(dir, rules: true)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try table(dir, "proposals.csv")
        #expect(!rows.isEmpty)
        for id in hromadasOut { #expect(!rows.contains { $0["hromada_id"] == id }, "\(rules): \(id) proposed") }
        for id in partnersOut { #expect(!rows.contains { $0["partner_id"] == id }, "\(rules): \(id) proposed") }
        // An excluded hromada is not "unmatched": it takes no part.
        for id in hromadasOut { #expect(try !table(dir, "unmatched.csv").contains { $0["hromada_id"] == id }) }
    }

    @Test("rules naming oblasts, statuses or countries that no row has: the line, and the closest names")
    func unknownNames() throws {
        let dir = try setUp(rules: "exclude_oblasts: [Kyiv Oblats]\nexclude_status: [ocupied]\ncountry_minimums:\n  PX: 1\n")
        let result = try match(dir, rules: true)
        #expect(result.status == 65)
        #expect(result.stderr == """
            error: r.yaml:1:19: exclude_oblasts names oblast "Kyiv Oblats", which no row has; did you mean "Kyiv Oblast"?
            r.yaml:2:18: exclude_status names status "ocupied", which no row has; did you mean "occupied"?
            r.yaml:4:3: country_minimums names country "PX", which no partner in p.csv has; did you mean "PL"?

            """, "\(result.stderr)")
    }

    /// The best total by exhaustive search (the tests' one brute-force oracle), with caps
    /// and minimums per country.
    func bruteForce(_ dir: URL, caps: [String: Int], minimums: [String: Int]) throws -> Double {
        let loaded = try LoadedInputs.load(InputPaths(hromadas: dir.appendingPathComponent("h.csv").path,
                                                      partners: dir.appendingPathComponent("p.csv").path,
                                                      ties: dir.appendingPathComponent("t.csv").path))
        let instance = loaded.instance()
        let model = ScoreModel(hromadas: loaded.hromadas, partners: loaded.partners, weights: loaded.weights,
                               context: instance.context)
        let h = loaded.hromadas, p = loaded.partners
        let codes = Array(Set(caps.keys).union(minimums.keys)).sorted()
        var values: [Double] = [], allowed: [Bool] = []
        for i in 0..<h.count {
            for j in 0..<p.count {
                values.append(model.breakdown(hromada: i, partner: j).score)
                allowed.append(instance.isCandidate[j] && instance.exclusion(of: IndexPair(i, j)) == nil)
            }
        }
        let problem = AssignmentProblem(rows: h.count, columns: p.count, values: values, objective: .maximize, allowed: allowed,
                                        rowDemands: (0..<h.count).map { instance.demand[$0] }, columnCapacities: p.slots,
                                        threshold: 0, columnGroups: (0..<p.count).map { codes.firstIndex(of: p.countries[$0]) ?? -1 },
                                        groupCapacities: codes.map { caps[$0] ?? 1_000 })
        // Minimisation form, threshold 0: the optimum's total is minus its objective.
        return -(try #require(bruteForceOptimum(problem, groupMinimums: codes.map { minimums[$0] ?? 0 })))
    }

    @Test("minimums per country are met exactly with the caps: the brute-force optimum")
    func minimumsWithCaps() throws {
        let dir = try setUp(rules: "country_caps:\n  PL: 1\ncountry_minimums:\n  EL: 1\n  BG: 1\n  NO: 1\n")
        let result = try match(dir, rules: true)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try table(dir, "proposals.csv")
        let per = Dictionary(grouping: rows, by: { $0["partner_country"]! }).mapValues(\.count)
        #expect((per["PL"] ?? 0) <= 1 && per["EL"] == 1 && per["BG"] == 1 && per["NO"] == 1, "\(per)")
        let total = rows.reduce(0.0) { $0 + Double($1["score"]!)! }
        let best = try bruteForce(dir, caps: ["PL": 1], minimums: ["EL": 1, "BG": 1, "NO": 1])
        #expect(abs(total - best) < 1e-3, "total \(total), optimum \(best)")
    }

    @Test("minimums that cannot be met: an error saying how far short, nothing written")
    func minimumsOutOfReach() throws {
        let dir = try setUp(rules: "eu_members_only: true\ncountry_minimums:\n  NO: 1\n  PL: 2\n")
        let result = try match(dir, rules: true)
        #expect(result.status == 65)
        #expect(result.stderr.contains("country_minimums in r.yaml cannot all be met: at most NO 0 of 1 can be reached"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path))
    }

    @Test("locked pairs under min_fit or left out by the rules are proposed, with a warning")
    func lockedWarnings() throws {
        let dir = try setUp(rules: "min_fit: 0.99\nlocked:\n  - [UA1, NO_1]\neu_members_only: true\n")
        let result = try match(dir, rules: true)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: UA1 (Kyivska) – NO_1 (Tromsø) (locked in r.yaml, line 3): its fit is "), "\(result.stderr)")
        #expect(result.stderr.contains("below min_fit 0.99 (r.yaml, line 1)"))
        #expect(result.stderr.contains("its partner would be left out: not an EU member (eu_members_only) (r.yaml, line 4)"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("o/proposals.json"))) as? [String: Any]
        #expect((json?["warnings"] as? [String])?.count == 2)
    }

    @Test("explain applies the rules: forbidden, non-EU and non-volunteer partners say why; names and did-you-mean work")
    func explainHonoursRules() throws {
        let dir = try setUp(rules: "eu_members_only: true\nforbidden:\n  - [UA1, PL_2]\n")
        func explain(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try runTwinning(["explain", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--rules", "r.yaml"] + args, in: dir)
        }
        let forbidden = try explain(["Kyivska", "Wieliczka"])
        #expect(forbidden.status == 0, "\(forbidden.stderr)")
        #expect(forbidden.stdout.contains("not allowed: forbidden in r.yaml, line 3"), "\(forbidden.stdout)")
        let nonEU = try explain(["UA1", "NO_1"])
        #expect(nonEU.stdout.contains("not allowed: not an EU member (eu_members_only)"), "\(nonEU.stdout)")
        let nonVolunteer = try explain(["UA1", "Vilnius"])
        #expect(nonVolunteer.stdout.contains("not allowed: not a volunteer"), "\(nonVolunteer.stdout)")
        let list = try explain(["Київська", "--top", "7"])
        #expect(list.status == 0)
        for id in ["PL_2", "NO_1", "LT_1"] { #expect(!list.stdout.contains("(\(id), "), "\(id) listed:\n\(list.stdout)") }
        let partnered = try explain(["UA3"])
        #expect(partnered.stdout.contains("takes no part in matching: already has 1 partner (ties) and has not signed up for more"), "\(partnered.stdout)")
        let typo = try explain(["Kyivsk"])
        #expect(typo.status == 65 && typo.stderr.contains("did you mean \"Kyivska\" (UA1)?"), "\(typo.stderr)")
    }

    @Test("explain shows the normalisation: weights not summing to 1, a negative weight as 1 − value")
    func explainNormalisation() throws {
        let dir = try setUp()
        let others = ScoreComponent.allCases.filter { ![.town, .proximity, .size].contains($0) }.map { "\($0.rawValue): 0\n" }.joined()
        try ("town: 0.8\nproximity: -0.3\nsize: 0.2\n" + others).write(to: dir.appendingPathComponent("w.yaml"), atomically: true, encoding: .utf8)
        let r = try runTwinning(["explain", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--weights", "w.yaml", "UA1", "PL_1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("score = Σ |weight| × value / 1.30"), "\(r.stdout)")
        #expect(r.stdout.contains("  proximity (1 − 0."), "\(r.stdout)")
        #expect(r.stdout.contains(" × 0.30 / 1.30 → "), "\(r.stdout)")
    }

    @Test("explain why not: who holds the partner and what forcing the pair costs, solved again")
    func whyNot() throws {
        let dir = try setUp(rules: "partner_countries: [PL]\n")
        #expect(try match(dir, rules: true).status == 0)
        let rows = try table(dir, "proposals.csv")
        let kraków = try #require(rows.first { $0["partner_id"] == "PL_1" })
        let other: String = try #require(["UA1", "UA2", "UA4"].first { $0 != kraków["hromada_id"] })
        let r = try runTwinning(["explain", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--rules", "r.yaml",
                                 "--proposals", "o", other, "PL_1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Kraków is proposed to \(kraków["hromada_name_latin"]!) (\(kraków["hromada_id"]!))"), "\(r.stdout)")
        #expect(r.stdout.contains("choosing it instead lowers the total by "), "\(r.stdout)")
    }

    @Test("explain --proposals judges a pair by the rules that output was made with, and by the decisions a batch run applied; a recorded file changed since is an error")
    func explainWithRecordedRules() throws {
        let dir = try setUp(rules: "partner_countries: [PL]\n")
        #expect(try match(dir, rules: true).status == 0)
        let inputs = ["--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv"]
        // No --rules: the folder's rules.
        var r = try runTwinning(["explain"] + inputs + ["--proposals", "o", "UA1", "DE_1"], in: dir)
        #expect(r.status == 0 && r.stdout.contains("as in o: rules r.yaml\nnot allowed: its country (DE) is not in partner_countries"), "\(r.stdout)\(r.stderr)")
        // Without the folder, today's (no) rules.
        r = try runTwinning(["explain"] + inputs + ["UA1", "DE_1"], in: dir)
        #expect(r.status == 0 && !r.stdout.contains("not allowed"), "\(r.stdout)")
        try "partner_countries: [PL, DE]\n".write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        r = try runTwinning(["explain"] + inputs + ["--proposals", "o", "UA1", "DE_1"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("o was made with the rules in r.yaml, which has changed since"), "\(r.stderr)")

        // A batch run: the decisions it applied.
        try "hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: out/s.sqlite\noutput: out\nscenarios:\n  - name: main\n"
            .write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        #expect(try runTwinning(["decide", "reject", "UA1", "PL_2", "--job", "job.yaml"], in: dir).status != 0, "no store yet")
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        #expect(try runTwinning(["decide", "reject", "UA1", "PL_2", "--job", "job.yaml"], in: dir).status == 0)
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        r = try runTwinning(["explain"] + inputs + ["--proposals", "out/run-2-main", "UA1", "PL_2"], in: dir)
        #expect(r.status == 0 && r.stdout.contains("as in out/run-2-main: 1 decision of run 2\nnot allowed: rejected"), "\(r.stdout)\(r.stderr)")
        r = try runTwinning(["explain"] + inputs + ["--proposals", "out/run-1-main", "UA1", "PL_2"], in: dir)
        #expect(r.status == 0 && r.stdout.contains("as in out/run-1-main: 0 decisions of run 1\nallowed"), "\(r.stdout)\(r.stderr)")
    }

    @Test("an unmatched hromada that no partner may pair with says which rules leave them out, and how many each; max_distance_km in explain")
    func unmatchedNamesTheRules() throws {
        let dir = try setUp(rules: "levels:\n  village: [region]\nmax_distance_km: 1400\n")
        #expect(try match(dir, rules: true).status == 0)
        let unmatched = try table(dir, "unmatched.csv")
        let betivska = try #require(unmatched.first { $0["hromada_id"] == "UA2" }, "\(unmatched)")
        #expect(betivska["reason"] == "the rules allow no partner for it: levels (6 partners; r.yaml, line 1)", "\(betivska)")
        let far = try runTwinning(["explain", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--rules", "r.yaml",
                                   "UA4", "DE_1"], in: dir)
        #expect(far.stdout.range(of: #"not allowed: \d+ km apart, beyond max_distance_km 1400 \(r\.yaml, line 3\)"#, options: .regularExpression) != nil, "\(far.stdout)")
    }

    @Test("shortlist: the best allowed partners per hromada, rules applied, written for spreadsheets")
    func shortlist() throws {
        let dir = try setUp(rules: "eu_members_only: true\n")
        let r = try runTwinning(["shortlist", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--rules", "r.yaml",
                                 "--region", "Kyiv Oblast", "--top", "3", "--out", "s.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let table = try CSVTable.parse(Data(contentsOf: dir.appendingPathComponent("s.csv")), file: "s.csv")
        #expect(table.count == 6)
        let partner = table.header.firstIndex(of: "partner_id")!, score = table.header.firstIndex(of: "score")!
        #expect(!(0..<table.count).contains { table.string($0, partner) == "NO_1" || table.string($0, partner) == "LT_1" })
        let scores = (0..<3).map { Double(table.string($0, score))! }
        #expect(scores == scores.sorted(by: >))
        let again = try runTwinning(["shortlist", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--out", "s.csv"], in: dir)
        #expect(again.status == 73, "an existing file must be refused before any work")
    }
}
