import Foundation
import Testing
import TwinningTestSupport
import Twinning

/// What an adversarial user tried, one test per finding: crashes, hangs, lost files and
/// wrong answers on valid but extreme input. Each must end in a clear answer or a clear
/// error, with nothing lost.
@Suite struct ReliabilityTests {
    static let hromadas = """
        id,name,name_en,level,country,region,population,lat,lon,slots,seeking,status,need_energy,need_water
        UA1,А,A,city,UA,Kyiv Oblast,1e19,50.4,30.5,1,,not_occupied,0.9,0.1
        UA2,Б,B,village,UA,Kyiv Oblast,3000,50.1,30.9,9223372036854775807,,not_occupied,0.8,0.2
        UA3,В,V,village,UA,Lviv Oblast,3000,49.8,24.0,1000000000,,not_occupied,0.3,0.7

        """
    static let partners = """
        id,name,name_en,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy,offer_water
        PL_1,Kraków,Krakow,city,PL,1,PL213,780000,50.06,19.94,9223372036854775807,1,0.9,0.2
        PL_2,Wieliczka,Wieliczka,settlement,PL,1,PL213,23000,49.99,20.06,1000000000,1,0.7,0.3
        DE_1,Jena,Jena,city,DE,1,DEG03,110000,50.93,11.59,1,1,0.1,0.9

        """

    func world(ties: String = "ua_id,eu_id,status\n") throws -> URL {
        let dir = try scratchDirectory()
        try Self.hromadas.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try Self.partners.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try ties.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    static let inputs = ["--hromadas", "h.csv", "--partners", "p.csv", "--ties", "t.csv"]

    /// Runs twinning and fails the test if it does not end within `seconds` (a hang).
    func run(_ arguments: [String], in dir: URL, seconds: Double = 30) throws -> (status: Int32, stdout: String, stderr: String) {
        let started = Date()
        let result = try runTwinning(arguments, in: dir)
        #expect(Date().timeIntervalSince(started) < seconds, "\(arguments) took too long")
        #expect(!result.stderr.contains("crashed") && !result.stderr.contains("Fatal error") && result.status < 128,
                "\(arguments) crashed: \(result.stderr)")
        return result
    }

    @Test("slots of Int.max and 10⁹ on both sides: no overflow, no hang; a hromada gets at most every partner once")
    func hugeSlots() throws {
        let dir = try world()
        let result = try run(["match"] + Self.inputs + ["--out", "o", "--format", "csv"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try CSVRows(dir.appendingPathComponent("o/proposals.csv"))
        // Every partner with room is used: PL_1 by all three, PL_2 by the two that want more, DE_1 (1 slot) by one.
        #expect(rows.count == 6 && rows.filter { $0["partner_id"] == "PL_1" }.count == 3, "\(rows)")
        let pairs = rows.map { "\($0["hromada_id"]!)-\($0["partner_id"]!)" }
        #expect(Set(pairs).count == pairs.count)
        #expect(try run(["match"] + Self.inputs + ["--out", "o2", "--alternatives", "9223372036854775807"], in: dir).status == 0)
    }

    @Test("one hromada wanting every one of 1,500 partners: matched with alternatives in seconds (once per hromada, not per proposal); shortlist --top Int.max; a 10,000-character name refused at once")
    func oneHromadaWantsEveryone() throws {
        let dir = try world()
        var partners = "id,name,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy\n"
        for j in 0..<1_500 { partners += "PL_\(j),P\(j),settlement,PL,1,PL213,\(2_000 + j * 7),\(49 + Double(j % 50) / 10),\(18 + Double(j / 50) / 10),1,1,0.5\n" }
        try partners.write(to: dir.appendingPathComponent("many.csv"), atomically: true, encoding: .utf8)
        try "id,name,level,country,region,population,lat,lon,slots,seeking,need_energy\nUA1,А,city,UA,Kyiv Oblast,90000,50.4,30.5,1500,1,0.5\n"
            .write(to: dir.appendingPathComponent("one.csv"), atomically: true, encoding: .utf8)
        let inputs = ["--hromadas", "one.csv", "--partners", "many.csv", "--ties", ""]
        var result = try run(["match"] + inputs + ["--out", "o", "--format", "csv"], in: dir, seconds: 20)
        #expect(result.status == 0 && result.stdout.contains("proposed 1500 partnerships"), "\(result.stdout)\(result.stderr)")
        result = try run(["shortlist"] + inputs + ["--top", "9223372036854775807", "--out", "s.csv"], in: dir, seconds: 20)
        #expect(result.status == 0 && result.stdout.contains("1500 candidates of 1 hromadas"), "\(result.stdout)\(result.stderr)")
        result = try run(["explain", "UA1", String(repeating: "Kraków,\"", count: 1_250)] + inputs, in: dir, seconds: 10)
        #expect(result.status == 65 && result.stderr.contains("unknown partner"), "\(result.stderr.prefix(300))")
    }

    @Test("validate names the line of bad UTF-8 and of an unclosed quote as match does; assign keeps an empty line of a one-column matrix as a forbidden cell; no volunteers is said, not blamed on rules")
    func outsideFindings() throws {
        let dir = try world()
        var bytes = Array("id,name,level,country,region,population,lat,lon,need_energy\nUA1,A,city,UA,R,10,50,30,0.5\nUA2,".utf8)
        bytes += [0xC3, 0x28] + Array(",city,UA,R,10,50,30,0.5\n".utf8)
        try Data(bytes).write(to: dir.appendingPathComponent("utf.csv"))
        try "id,name,level,country,region,population,lat,lon,need_energy\nUA1,A,city,UA,R,10,50,30,0.5\nUA2,B,city,UA,R,10,50,30,0.5\nUA3,\"C,city,UA,R,10,50,30,0.5\n"
            .write(to: dir.appendingPathComponent("quote.csv"), atomically: true, encoding: .utf8)
        for (file, expected) in [("utf.csv", "utf.csv:3: is not valid UTF-8"), ("quote.csv", "quote.csv:4:2: quoted field is never closed")] {
            let result = try run(["validate", file], in: dir)
            #expect(result.status == 65 && result.stderr.hasPrefix(expected), "\(result.stderr)")
        }
        try "\n2\n1\n".write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        let assigned = try run(["assign", "m.csv", "--maximize"], in: dir)
        #expect(assigned.status == 0 && assigned.stdout == "row,col\n1,0\ntotal,2\n", "\(assigned.stdout)\(assigned.stderr)")
        try Self.partners.replacingOccurrences(of: ",1,0.", with: ",0,0.").write(to: dir.appendingPathComponent("none.csv"), atomically: true, encoding: .utf8)
        let none = try run(["match", "--hromadas", "h.csv", "--partners", "none.csv", "--ties", "", "--out", "o", "--format", "csv"], in: dir)
        #expect(none.stderr.contains("warning: no partner takes part: no partner in none.csv is a volunteer") && !none.stderr.contains("rules"),
                "\(none.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("o/unmatched.csv"), encoding: .utf8).contains("no partner in none.csv is a volunteer"))
    }

    @Test("a file of 2 GiB or more is refused before it is read (a sparse file: no disk, no memory)")
    func hugeFileRefusedAtOnce() throws {
        let dir = try world()
        let path = dir.appendingPathComponent("huge.csv").path
        FileManager.default.createFile(atPath: path, contents: Data("id,name\n".utf8))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 1 << 31)
        try handle.close()
        for command in [["validate", "huge.csv"], ["match", "--hromadas", "huge.csv", "--partners", "p.csv", "--ties", ""]] {
            let result = try run(command, in: dir, seconds: 10)
            #expect(result.status == 66 && result.stderr.contains("huge.csv: is 2 GiB or larger; split it"), "\(command): \(result.stderr)")
        }
    }

    @Test("explain a hromada of population 1e19 (valid and finite); twinning report remakes the page of its match, as match made it")
    func hugePopulation() throws {
        let dir = try world()
        let result = try run(["explain", "UA1"] + Self.inputs, in: dir)
        #expect(result.status == 0 && result.stdout.contains("population 10000000000000000000"), "\(result.stderr)")
        #expect(try run(["match"] + Self.inputs + ["--out", "o", "--format", "all"], in: dir).status == 0)
        let made = try Data(contentsOf: dir.appendingPathComponent("o/report.html"))
        let again = try run(["report", "o", "--out", "again.html"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("again.html")) == made)
    }

    @Test("validate on a directory is an input error, not a trap")
    func directoryAsFile() throws {
        let dir = try world()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("dir.csv"), withIntermediateDirectories: false)
        let result = try run(["validate", "dir.csv"], in: dir)
        #expect(result.status == 66 && (result.stdout + result.stderr).contains("dir.csv: is a directory; expected a file"), "\(result.stdout)\(result.stderr)")
    }

    @Test("tune: a truth with no pairs is an error; a truth whose only partner is everyone's true partner ends")
    func degenerateTruths() throws {
        let dir = try world(ties: "ua_id,eu_id,status\nUA1,PL_1,rejected\n")
        var result = try run(["tune", "--hromadas", "h.csv", "--partners", "p.csv", "--truth", "t.csv", "--no-stability"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("t.csv: has no existing or accepted pairs"), "\(result.stderr)")
        try "id,name,name_en,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy,offer_water\nPL_1,K,K,city,PL,1,PL213,780000,50.06,19.94,1,1,0.9,0.2\n"
            .write(to: dir.appendingPathComponent("one.csv"), atomically: true, encoding: .utf8)
        try "ua_id,eu_id,status\nUA1,PL_1,existing\nUA2,PL_1,existing\nUA3,PL_1,existing\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        result = try run(["tune", "--hromadas", "h.csv", "--partners", "one.csv", "--truth", "t.csv", "--no-stability", "--folds", "3"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("tune --write-weights naming a directory refuses, and the directory and its file stay")
    func weightsOntoDirectory() throws {
        let dir = try world(ties: "ua_id,eu_id,status\nUA1,PL_1,existing\nUA2,DE_1,existing\n")
        let precious = dir.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: precious, withIntermediateDirectories: false)
        try "keep".write(to: precious.appendingPathComponent("f"), atomically: true, encoding: .utf8)
        for force in [[], ["--force"]] {
            let result = try run(["tune", "--hromadas", "h.csv", "--partners", "p.csv", "--truth", "t.csv", "--write-weights", "precious"] + force, in: dir)
            #expect(result.status == 73 && result.stderr.contains("precious: is a directory"), "\(result.stderr)")
            #expect(try String(contentsOf: precious.appendingPathComponent("f"), encoding: .utf8) == "keep")
        }
    }

    @Test("numbers: weights of 1e308 rank as the same weights scaled down; scales that would overflow are refused with file and line")
    func extremeWeights() throws {
        let dir = try world()
        let components = ScoreComponent.allCases.map(\.rawValue)
        try components.map { "\($0): 1e308\n" }.joined().write(to: dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        try components.map { "\($0): 1\n" }.joined().write(to: dir.appendingPathComponent("one.yaml"), atomically: true, encoding: .utf8)
        for (name, file) in [("a", "big.yaml"), ("b", "one.yaml")] {
            #expect(try run(["match"] + Self.inputs + ["--weights", file, "--out", name, "--format", "csv"], in: dir).status == 0)
        }
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/proposals.csv")) == Data(contentsOf: dir.appendingPathComponent("b/proposals.csv")))
        try "size_scale: 0.001\n".write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let result = try run(["match"] + Self.inputs + ["--weights", "tiny.yaml", "--out", "c"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("tiny.yaml:1:13: size_scale must be between 0.05 and 1000"), "\(result.stderr)")
    }

    @Test("assign refuses a NaN threshold and non-decimal cells, and never prints a total JSON cannot hold")
    func assignNumbers() throws {
        let dir = try world()
        try "1,2\n3,4\n".write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        try "1,0x10\n3,4\n".write(to: dir.appendingPathComponent("hex.csv"), atomically: true, encoding: .utf8)
        try "1e308,1e308\n1e308,1e308\n".write(to: dir.appendingPathComponent("big.csv"), atomically: true, encoding: .utf8)
        var result = try run(["assign", "m.csv", "--threshold", "nan"], in: dir)
        #expect(result.status == 64, "\(result.stderr)")
        result = try run(["assign", "hex.csv"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("hex.csv:1:2: expected a finite decimal number"), "\(result.stderr)")
        result = try run(["assign", "big.csv", "--format", "json"], in: dir)
        #expect(result.status == 65 && !result.stdout.contains("inf"), "\(result.stdout)\(result.stderr)")
    }

    @Test("rules: a scalar where a list belongs, and a pair locked twice, named by file and line")
    func rulesMistakes() throws {
        let dir = try world()
        try "levels: {village: city}\n".write(to: dir.appendingPathComponent("r1.yaml"), atomically: true, encoding: .utf8)
        try "locked:\n  - [UA1, PL_1]\n  - [UA1, PL_1]\n".write(to: dir.appendingPathComponent("r2.yaml"), atomically: true, encoding: .utf8)
        var result = try run(["match"] + Self.inputs + ["--rules", "r1.yaml", "--out", "o"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("r1.yaml:1:19: levels.village must be a list"), "\(result.stderr)")
        result = try run(["match"] + Self.inputs + ["--rules", "r2.yaml", "--out", "o"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("r2.yaml:3:5: pair UA1, PL_1 is listed twice in locked (first on line 2)"), "\(result.stderr)")
    }

    @Test("a JSON error after a value holding a line break names the right record")
    func jsonRecords() throws {
        let dir = try world()
        try """
            [{"id":"UA1","name":"A\\nB","name_en":"A","level":"city","country":"UA","region":"K","population":5,"lat":50,"lon":30,"slots":1,"need_energy":0.5},
             {"id":"UA2","name":"C","name_en":"C","level":"city","country":"UA","region":"K","population":"x","lat":50,"lon":30,"slots":1,"need_energy":0.5}]
            """.write(to: dir.appendingPathComponent("h.json"), atomically: true, encoding: .utf8)
        let result = try run(["validate", "h.json"], in: dir)
        #expect(result.status == 65 && (result.stdout + result.stderr).contains(#"h.json: record 2, key "population""#), "\(result.stdout)")
    }

    @Test("batch: scenario keys misspelt or mistyped, a NaN or huge bonus, are refused before anything runs; the store is named when corrupt")
    func batchJobMistakes() throws {
        let dir = try world()
        func job(_ scenarios: String) throws {
            try ("hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: s.sqlite\noutput: out\nscenarios:\n" + scenarios)
                .write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        }
        try job("  - name: a\n    incumbency_bonus: .nan\n  - name: b\n    incumbancy_bonus: 0.1\n")
        var result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("job.yaml:8:23: incumbency_bonus must be a number between 0 and 1, found \".nan\"")
                && result.stderr.contains("job.yaml:10:5: unknown scenario key \"incumbancy_bonus\"; did you mean \"incumbency_bonus\"?"), "\(result.stderr)")
        try job("  - name: a\n    incumbency_bonus: 1e39\n")
        result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("found 1e39"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.sqlite").path))
        try job("  - name: a\n")
        try "garbage, not SQLite, long enough to be read as a header by SQLite....................................".write(
            to: dir.appendingPathComponent("s.sqlite"), atomically: true, encoding: .utf8)
        result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 74 && result.stderr.contains("the run store s.sqlite cannot be used"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/run-1-a").path))
    }

    @Test("batch: a user's file that looks like a temporary one survives; a lock file replaced by a link is not followed")
    func batchFiles() throws {
        let dir = try world()
        try "hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: s.sqlite\noutput: out\nscenarios:\n  - name: a\n"
            .write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        try "precious".write(to: out.appendingPathComponent("budget.partial-2025.xlsx"), atomically: true, encoding: .utf8)
        var result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: out.appendingPathComponent("budget.partial-2025.xlsx"), encoding: .utf8) == "precious")
        try "target".write(to: dir.appendingPathComponent("victim.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: out.appendingPathComponent(".twinning-batch.lock"))
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent(".twinning-batch.lock").path, withDestinationPath: "../victim.txt")
        result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status != 0 && result.stderr.contains("out/.twinning-batch.lock"), "\(result.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("victim.txt"), encoding: .utf8) == "target")
    }

    @Test("batch store: a store from a newer version, one whose run table lacks a column, one serving another output folder are refused naming it; run-id folders past 2^40 are not runs")
    func batchStores() throws {
        let dir = try world()
        func job(_ name: String, store: String, output: String) throws {
            try "hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: \(store)\noutput: \(output)\nscenarios:\n  - name: a\n"
                .write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try job("job.yaml", store: "s.sqlite", output: "out")
        // A folder numbered near Int64.max: not taken as a run; the next ids stay small.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out/run-9223372036854775806-x"), withIntermediateDirectories: true)
        var result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/run-1-a").path), "\(result.stderr)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out/run-9223372036854775806-x"))
        result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/run-2-a").path), "\(result.stderr)")

        // A second job sharing the store with another output folder: refused, nothing written.
        try job("other.yaml", store: "s.sqlite", output: "elsewhere")
        result = try run(["batch", "run", "--job", "other.yaml"], in: dir)
        #expect(result.status == 73 && result.stderr.contains("the run store s.sqlite keeps the runs written to")
                && result.stderr.contains("give each job its own store"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("elsewhere/run-3-a").path))
        #expect(try run(["batch", "history", "--job", "job.yaml"], in: dir).stdout.contains("2  a"))

        // A store from a newer version (a migration this one does not know): refused, untouched.
        let store = dir.appendingPathComponent("s.sqlite").path
        func sql(_ statements: String) throws {
            try "import sqlite3, sys\nc = sqlite3.connect('s.sqlite')\nc.executescript(sys.stdin.read())\nc.commit()\n"
                .write(to: dir.appendingPathComponent("edit.py"), atomically: true, encoding: .utf8)
            try statements.write(to: dir.appendingPathComponent("edit.sql"), atomically: true, encoding: .utf8)
            _ = try ReadmeTests.shell("/usr/bin/python3 edit.py < edit.sql", in: dir, path: "/usr/bin:/bin")
        }
        try sql("INSERT INTO grdb_migrations VALUES ('v99');")
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 74 && result.stderr.contains("was written by a newer version of twinning (schema v1, v2, v3, v99); this one knows v1, v2, v3"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

        // A run table without a column: refused naming the table and column, no crash.
        try sql("DELETE FROM grdb_migrations WHERE identifier = 'v99'; ALTER TABLE run DROP COLUMN timings;")
        for command in [["batch", "run"], ["batch", "history"]] {
            result = try run(command + ["--job", "job.yaml"], in: dir)
            #expect(result.status == 74 && result.stderr.contains("its table run has no column timings"), "\(command): \(result.stderr)")
        }
    }

    @Test("batch: a user's file named latest-SCENARIO stays; prune --dry-run removes nothing; what a stopped report --force left is pruned with its run")
    func batchKeepsUsersFiles() throws {
        let dir = try world()
        try "hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: s.sqlite\noutput: out\nscenarios:\n  - name: a\n"
            .write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        try "my notes".write(to: out.appendingPathComponent("latest-a"), atomically: true, encoding: .utf8)
        var result = try run(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0 && result.stdout.contains("latest-a: is not a link twinning made, so it is left as it is; the run is in out/run-1-a"), "\(result.stdout)")
        #expect(try String(contentsOf: out.appendingPathComponent("latest-a"), encoding: .utf8) == "my notes")
        for _ in 0..<2 { #expect(try run(["batch", "run", "--job", "job.yaml"], in: dir).status == 0) }
        // What `report --force` leaves when stopped: its temporary file beside report.html.
        try "half a page".write(to: out.appendingPathComponent("run-1-a/.report.html.partial-Ab12Cd"), atomically: true, encoding: .utf8)
        result = try run(["batch", "prune", "--keep", "1", "--dry-run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0 && result.stdout.contains("would remove 2 run(s): 1, 2"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("run-1-a").path))
        result = try run(["batch", "prune", "--keep", "1", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0 && result.stdout.contains("removed 2 run(s): 1, 2"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("run-1-a").path))
    }

    @Test("decide import: quoted commas in notes, lines counted across blank lines")
    func decideImport() throws {
        let dir = try world()
        try "hromadas: h.csv\npartners: p.csv\nties: t.csv\nstore: s.sqlite\noutput: out\nscenarios:\n  - name: a\n"
            .write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        #expect(try run(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        try "ua_id,eu_id,decision,note\n\nUA1,PL_2,reject,\"no, thanks\"\nUA9,PL_2,reject,x\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        var result = try run(["decide", "import", "d.csv", "--job", "job.yaml"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("d.csv:4: unknown hromada \"UA9\"") && result.stderr.contains("nothing recorded"), "\(result.stderr)")
        try "ua_id,eu_id,decision,note\n\nUA1,PL_2,reject,\"no, thanks\"\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        result = try run(["decide", "import", "d.csv", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        result = try run(["decide", "list", "--job", "job.yaml"], in: dir)
        #expect(result.stdout.contains("UA1 (А · A) – PL_2 (Wieliczka)  no, thanks"), "\(result.stdout)")
        // A note holding a NUL (or another control character) is refused whole, not stored cut.
        try Data("ua_id,eu_id,decision,note\nUA2,PL_2,reject,\"before\u{0}after\"\n".utf8).write(to: dir.appendingPathComponent("nul.csv"))
        result = try run(["decide", "import", "nul.csv", "--job", "job.yaml"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("nul.csv:2: the note holds a control character (U+0000)")
                && result.stderr.contains("nothing recorded"), "\(result.stderr)")
    }
}
