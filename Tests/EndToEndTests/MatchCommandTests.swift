import Foundation
import Testing
import TwinningTestSupport
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch
import TwinningBatch

/// Runs the built `twinning` binary, as a user would.

/// Five hromadas and five partners with chosen needs and offers, so the optimum is not
/// the greedy choice.
let smallHromadas = """
    id,name,level,country,region,population,lat,lon,slots,need_energy,need_water,need_health
    UA1,Alpha,city,UA,Kyivska,50000,50.4,30.5,1,0.9,0.1,0.1
    UA2,Beta,village,UA,Kyivska,3000,50.1,30.9,1,0.8,0.2,0.1
    UA3,Gamma,settlement,UA,Lvivska,12000,49.8,24.0,1,0.1,0.9,0.3
    UA4,Delta,city,UA,Lvivska,80000,49.6,24.5,2,0.2,0.2,0.9
    UA5,Epsilon,village,UA,Odeska,2000,46.5,30.7,1,0.5,0.5,0.5

    """
let smallPartners = """
    id,name,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy,offer_water,offer_health
    PL_1,Kraków,city,PL,1,PL213,780000,50.06,19.94,1,1,0.9,0.2,0.1
    PL_2,Wieliczka,settlement,PL,1,PL213,23000,49.99,20.06,1,1,0.7,0.3,0.2
    DE_1,Jena,city,DE,1,DEG03,110000,50.93,11.59,2,1,0.1,0.9,0.4
    NO_1,Tromsø,city,NO,0,NO074,77000,69.65,18.96,1,1,0.2,0.2,0.9
    LT_1,Vilnius,city,LT,1,LT011,580000,54.69,25.28,1,0,0.9,0.9,0.9

    """

@Suite struct MatchCommandTests {
    func setUp(ties: String = "ua_id,eu_id,status\n") throws -> URL {
        let dir = try scratchDirectory()
        try smallHromadas.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try smallPartners.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try ties.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    /// The rows of `out/proposals.csv`, each cell by its header.
    func proposals(_ dir: URL, _ out: String) throws -> [[String: String]] {
        let data = try Data(contentsOf: dir.appendingPathComponent(out).appendingPathComponent("proposals.csv"))
        let table = try CSVTable.parse(data, file: "proposals.csv")
        return (0..<table.count).map { r in Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, table.string(r, $0)) }) }
    }

    /// The best total by exhaustive search over the same scores, slots and rules.
    func bruteForceTotal(ties: [Tie], hromadas: Registry, partners: Registry) -> Double {
        let known = ScoreContext(hromadas: hromadas, partners: partners, ties: ties.filter { $0.status == .existing }.map(\.pair))
        let model = ScoreModel(hromadas: hromadas, partners: partners, context: known)
        let existing = Set(ties.filter { $0.status == .existing }.map(\.hromada))
        let banned = Set(ties.filter { $0.status != .accepted }.map { "\($0.hromada)|\($0.partner)" })
        let accepted = ties.filter { $0.status == .accepted }
        var capacity = (0..<partners.count).map { partners.volunteers[$0] ? partners.slots[$0] : 0 }
        for a in accepted where !partners.volunteers[a.partner] { capacity[a.partner] = partners.slots[a.partner] }
        var best = -1.0
        func visit(_ i: Int, _ total: Double) {
            if i == hromadas.count { best = max(best, total); return }
            let want = existing.contains(i) ? accepted.filter { $0.hromada == i }.count : hromadas.slots[i]
            let must = accepted.filter { $0.hromada == i }.map(\.partner)
            func choose(_ from: Int, _ left: Int, _ total: Double, _ picked: [Int]) {
                if from == partners.count || left == 0 {
                    if must.allSatisfy(picked.contains) { visit(i + 1, total) }
                    return
                }
                let j = from
                if capacity[j] > 0 && !banned.contains("\(i)|\(j)") {
                    capacity[j] -= 1
                    choose(from + 1, left - 1, total + model.breakdown(hromada: i, partner: j).score, picked + [j])
                    capacity[j] += 1
                }
                choose(from + 1, left, total, picked)
            }
            choose(0, want, total, [])
        }
        visit(0, 0)
        return best
    }

    @Test("proposals are optimal, constraints hold, reruns are byte-identical")
    func optimalAndReproducible() throws {
        let ties = "ua_id,eu_id,status\nUA1,PL_1,rejected\nUA3,DE_1,accepted\nUA5,NO_1,existing\n"
        let dir = try setUp(ties: ties)
        let args = ["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--alternatives", "2"]
        let first = try runTwinning(args + ["--out", "one"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("proposed"))
        let second = try runTwinning(args + ["--out", "two"], in: dir)
        #expect(second.status == 0)
        for file in ["proposals.csv", "proposals.json"] {
            let a = try Data(contentsOf: dir.appendingPathComponent("one/\(file)"))
            let b = try Data(contentsOf: dir.appendingPathComponent("two/\(file)"))
            #expect(a == b, "\(file) differs between runs")
        }
        let rows = try proposals(dir, "one")
        let pairs = Set(rows.map { $0["hromada_id"]! + "|" + $0["partner_id"]! })
        #expect(!pairs.contains("UA1|PL_1"), "rejected pair proposed")
        #expect(pairs.contains("UA3|DE_1"), "accepted pair dropped")
        #expect(!rows.contains { $0["hromada_id"]! == "UA5" }, "hromada with an existing partner was matched")
        #expect(!rows.contains { $0["partner_id"]! == "LT_1" }, "a non-volunteer was proposed")
        #expect(rows.filter { $0["hromada_id"]! == "UA4" }.count <= 2)
        #expect(rows.filter { $0["partner_id"]! == "DE_1" }.count <= 2 && rows.filter { $0["partner_id"]! == "PL_1" }.count <= 1)

        let h = try Registry.load(path: dir.appendingPathComponent("h.csv").path, side: .hromadas)
        let p = try Registry.load(path: dir.appendingPathComponent("p.csv").path, side: .partners)
        let t = try Ties.load(path: dir.appendingPathComponent("t.csv").path, hromadas: h, partners: p)
        let total = rows.reduce(0.0) { $0 + Double($1["score"]!)! }
        let optimum = bruteForceTotal(ties: t, hromadas: h, partners: p)
        #expect(abs(total - optimum) < 1e-3, "total \(total), brute-force optimum \(optimum)")
    }

    @Test("bad input: clear error, non-zero exit, nothing written")
    func badInput() throws {
        let dir = try setUp(ties: "ua_id,eu_id,status\nUA9,PL_1,existing\n")
        let result = try runTwinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--out", "out"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("t.csv:2:1: unknown hromada id \"UA9\""))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        let contents = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(Set(contents) == ["h.csv", "p.csv", "t.csv"])
    }

    @Test("conflicting rules name both sides and what to change")
    func conflictingRules() throws {
        let dir = try setUp()
        try "locked:\n  - [UA1, PL_1]\n  - [UA2, PL_1]\n".write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        let result = try runTwinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv",
                                      "--rules", "r.yaml", "--out", "out"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("partner PL_1 (Kraków) has 2 locked pairs but only 1 slot(s)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test("country caps, a minimum fit and levels hold; optimal under them")
    func capsAndLevels() throws {
        let dir = try setUp()
        try "country_caps:\n  PL: 1\nmin_fit: 0.3\nlevels:\n  village: [settlement, city]\n"
            .write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        let result = try runTwinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv",
                                      "--rules", "r.yaml", "--out", "o"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try proposals(dir, "o")
        #expect(rows.filter { $0["partner_country"]! == "PL" }.count <= 1)
        #expect(rows.allSatisfy { Double($0["fit"]!)! >= 0.3 })
        let h = try Registry.load(path: dir.appendingPathComponent("h.csv").path, side: .hromadas)
        let p = try Registry.load(path: dir.appendingPathComponent("p.csv").path, side: .partners)
        for r in rows where h.levels[h.index()[r["hromada_id"]!]!] == .village {
            #expect(p.levels[p.index()[r["partner_id"]!]!] != .village)
        }
        // Optimal: no better set of pairs under the same rules (brute force over the scores).
        let model = ScoreModel(hromadas: h, partners: p)
        var best = 0.0
        var partnerLeft = p.slots.enumerated().map { p.volunteers[$0.offset] ? $0.element : 0 }
        var plLeft = 1
        func visit(_ i: Int, _ total: Double) {
            if i == h.count { best = max(best, total); return }
            func choose(_ j: Int, _ left: Int, _ total: Double) {
                if j == p.count || left == 0 { visit(i + 1, total); return }
                let b = model.breakdown(hromada: i, partner: j), s = b.score
                let levelOK = h.levels[i] != .village || p.levels[j] != .village
                if partnerLeft[j] > 0 && (b.fit ?? 1) >= 0.3 && levelOK && (p.countries[j] != "PL" || plLeft > 0) {
                    partnerLeft[j] -= 1; if p.countries[j] == "PL" { plLeft -= 1 }
                    choose(j + 1, left - 1, total + s)
                    partnerLeft[j] += 1; if p.countries[j] == "PL" { plLeft += 1 }
                }
                choose(j + 1, left, total)
            }
            choose(0, h.slots[i], total)
        }
        visit(0, 0)
        let total = rows.reduce(0.0) { $0 + Double($1["score"]!)! }
        #expect(abs(total - best) < 1e-3, "total \(total), optimum \(best)")
    }

    @Test("--candidates all is recorded: proposals.json says which partners took part, and each proposal whether its partner signed up")
    func candidatePoolRecorded() throws {
        let dir = try setUp()
        for (out, extra) in [("v", [String]()), ("a", ["--candidates", "all"])] {
            let result = try runTwinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--out", out, "--format", "both"] + extra, in: dir)
            #expect(result.status == 0, "\(result.stderr)")
        }
        for (out, pool) in [("v", "volunteers"), ("a", "all")] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(out)/proposals.json"))) as? [String: Any]
            #expect((json?["summary"] as? [String: Any])?["candidates"] as? String == pool)
        }
        let all = try proposals(dir, "a")
        #expect(!all.isEmpty && all.allSatisfy { $0["partner_volunteer"] == ($0["partner_id"] == "LT_1" ? "0" : "1") })
        #expect(try proposals(dir, "v").allSatisfy { $0["partner_volunteer"] == "1" && $0["partner_id"] != "LT_1" })
    }

    @Test("spreadsheet formulas in names are neutralised in the CSV")
    func formulaInjection() throws {
        let dir = try setUp()
        let evil = smallHromadas.replacingOccurrences(of: "UA1,Alpha", with: "UA1,\"=HYPERLINK(\"\"x\"\")\"")
        try evil.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        let result = try runTwinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "--out", "o"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("o/proposals.csv"), encoding: .utf8)
        #expect(text.contains("'=HYPERLINK"))
        #expect(!text.contains(",=HYPERLINK"))
    }

    @Test("explain prints the reasons in words, the fit and every weighed component of a pair")
    func explain() throws {
        let dir = try setUp()
        let result = try runTwinning(["explain", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv", "UA1", "PL_2"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        for word in ["  why: ", " km apart", "components ", " + fit 0.", "km_over_200 ", "ratio ", "area_log_prior ", "top sectors", "distance"] {
            #expect(result.stdout.contains(word), "\(word): \(result.stdout)")
        }
        // The old logit's components weigh 0 by default: not listed.
        #expect(!result.stdout.contains("upward "), "\(result.stdout)")
        let unknown = try runTwinning(["explain", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "", "UA1", "XX_9"], in: dir)
        #expect(unknown.status == 65 && unknown.stderr.contains("unknown partner \"XX_9\": neither an id nor a name in p.csv"), "\(unknown.stderr)")
    }
}

/// Every JSON file or stream the tool writes, parsed back by a JSON parser.
@Suite struct JSONOutputTests {
    /// The parsed object, after checking that none of its keys, at any depth, is camelCase.
    func json(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any], sourceLocation: sourceLocation)
        func keys(_ value: Any) -> [String] {
            if let o = value as? [String: Any] { return o.keys + o.values.flatMap(keys) }
            if let a = value as? [Any] { return a.flatMap(keys) }
            return []
        }
        let camel = keys(object).filter { $0.range(of: "[a-z0-9][A-Z]", options: .regularExpression) != nil }
        #expect(camel.isEmpty, "camelCase keys: \(Set(camel).sorted())", sourceLocation: sourceLocation)
        return object
    }

    @Test("proposals.json, metrics.json, assign --format json and the batch's JSON are all valid JSON")
    func everyJSONParses() throws {
        let dir = try scratchDirectory()
        try smallHromadas.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try smallPartners.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try "ua_id,eu_id,status\nUA1,PL_1,existing\nUA2,DE_1,existing\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        // Names with quotes, backslashes, control characters and a line break.
        let awkward = smallHromadas.replacingOccurrences(of: "UA3,Gamma", with: "UA3,\"Ga\"\"mma \\ \t\nnew\"")
        try awkward.write(to: dir.appendingPathComponent("h2.csv"), atomically: true, encoding: .utf8)

        let match = try runTwinning(["match", "--hromadas", "h2.csv", "--partners", "p.csv", "--ties", "", "--out", "m"], in: dir)
        #expect(match.status == 0, "\(match.stderr)")
        let proposals = try json(Data(contentsOf: dir.appendingPathComponent("m/proposals.json")))
        let rows = try #require(proposals["proposals"] as? [[String: Any]])
        let unmatched = try #require(proposals["unmatched"] as? [[String: Any]])
        #expect((rows + unmatched).contains { ($0["hromada_name"] as? String) == "Ga\"mma \\ \t\nnew" })

        let evaluate = try runTwinning(["evaluate", "--hromadas", "h.csv", "--partners", "p.csv", "--truth", "t.csv", "--out", "e"], in: dir)
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let metrics = try json(Data(contentsOf: dir.appendingPathComponent("e/metrics.json")))
        #expect(metrics["candidates"] as? Int == 5)

        try "1,2,3\n4,,6\n".write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let assign = try runTwinning(["assign", "m.csv", "--maximize", "--format", "json"], in: dir)
        let solved = try json(Data(assign.stdout.utf8))
        #expect(solved["total"] as? Double == 8)

        try "hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: out/store.sqlite\noutput: out\nscenarios:\n  - name: a\n"
            .write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        _ = try json(Data(contentsOf: dir.appendingPathComponent("out/run-1-a/proposals.json")))
        let store = try TwinningBatch.RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        for run in try store.runs() {
            // Typed in the store: inputs with their SHA-256, counts and timings as numbers.
            #expect(run.status == .ok && run.counts?.proposals ?? 0 > 0 && (run.timings.total ?? 0) > 0)
            #expect(run.inputs["hromadas"] == .file(path: "h.csv", sha256: try Digest.sha256(Data(contentsOf: dir.appendingPathComponent("h.csv")))))
            #expect(run.outputFolder == dir.appendingPathComponent("out").resolvingSymlinksInPath().path)
            _ = try json(Data(run.rules.utf8))
        }
    }

    @Test("assign on values whose total overflows: a clear error, never invalid JSON")
    func assignOverflow() throws {
        let dir = try scratchDirectory()
        try "1e308,1\n1,1e308\n".write(to: dir.appendingPathComponent("big.csv"), atomically: true, encoding: .utf8)
        let r = try runTwinning(["assign", "big.csv", "--maximize", "--format", "json"], in: dir)
        #expect(r.status == 65)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "error: big.csv: the total overflows a double-precision number; scale the values down\n")
        let nan = try runTwinning(["assign", "big.csv", "--threshold", "nan"], in: dir)
        #expect(nan.status == 64 && nan.stderr.contains("threshold"), "\(nan.stderr)")
    }
}

/// Help as argument-parser prints it, for every command: an overview, usage, exit 0.
@Suite struct HelpTests {
    static let commands: [[String]] = [[], ["match"], ["report"], ["explain"], ["shortlist"], ["validate"], ["evaluate"], ["tune"],
        ["batch"], ["batch", "run"], ["batch", "history"], ["batch", "show"], ["batch", "diff"], ["batch", "prune"],
        ["decide"], ["decide", "accept"], ["decide", "reject"], ["decide", "revoke"], ["decide", "import"], ["decide", "list"], ["assign"]]

    @Test("every command has an overview and usage, printed on stdout with status 0", arguments: commands)
    func help(_ command: [String]) throws {
        let result = try runTwinning(command + ["--help"], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        #expect(result.status == 0 && result.stderr.isEmpty, "\(command): \(result.status) \(result.stderr)")
        #expect(result.stdout.hasPrefix("OVERVIEW: ") && result.stdout.contains("USAGE: twinning"), "\(command): \(result.stdout)")
    }

    @Test("--version names the program; completion scripts are generated")
    func versionAndCompletions() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory())
        let version = try runTwinning(["--version"], in: dir)
        #expect(version.status == 0 && version.stdout.hasPrefix("twinning \(TwinningVersion.string)\nBLAS: "), "\(version.stdout)")
        for shell in ["bash", "zsh", "fish"] {
            let script = try runTwinning(["--generate-completion-script", shell], in: dir)
            #expect(script.status == 0 && script.stdout.contains("match") && script.stdout.contains("hromadas"), "\(shell)")
        }
        // File options complete file names of their kind.
        let bash = try runTwinning(["--generate-completion-script", "bash"], in: dir).stdout
        for (option, pattern) in [("--rules", "'!*.@(yaml|yml)'"), ("--job", "'!*.@(yaml|yml)'"), ("--hromadas", "'!*.@(csv|json)'")] {
            #expect(bash.contains("'\(option)')\n        __twinning_add_completions -o plusdirs -fX \(pattern)"), "\(option)")
        }
    }

    @Test("the shipped man page (docs/man/twinning.1) has every command and option the tool has")
    func manPageInStep() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        // mdoc: a command is `.It Em NAME`, an option `.It Fl -NAME` (the macro adds the first dash).
        let page = try String(contentsOf: root.appendingPathComponent("docs/man/twinning.1"), encoding: .utf8)
        let dump = try runTwinning(["--experimental-dump-help"], in: root)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var missing: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let name = command["commandName"] as? String ?? ""
            let here = path + [name]
            if path.count >= 1 && !page.contains(".It Em \(name)\n") { missing.append(here.joined(separator: " ")) }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for n in argument["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" {
                    let option = n["name"] as? String ?? ""
                    if !["help", "version"].contains(option) && !page.contains(".It Fl -\(option)") {
                        missing.append("\(here.joined(separator: " ")) --\(option)")
                    }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, here) }
        }
        walk(try #require(json["command"] as? [String: Any]), [])
        #expect(missing.isEmpty, "not in docs/man/twinning.1 (regenerate it, as the README says): \(missing)")
    }
}
