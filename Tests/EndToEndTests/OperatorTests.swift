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
@testable import TwinningBatch

/// What a nightly operator relies on: exit statuses by cause, provenance an operator can
/// check with standard tools, decisions that say what they did, a store made by an
/// earlier version that keeps working, links and pruning.
@Suite(.serialized) struct OperatorTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/store-v1")

    /// A copy of the small job of `Fixtures/store-v1` (inputs and job file), without its store.
    func setUp(withStore: Bool = false) throws -> URL {
        let dir = try scratchDirectory()
        for name in ["h.csv", "p.csv", "t.csv", "job.yaml"] + (withStore ? ["out"] : []) {
            try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    func twinning(_ args: [String], in dir: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        try runTwinning(args, in: dir)
    }

    @Test("each cause has its exit status: 64 usage, 65 bad input, 66 input missing, 73 output exists, 74 store, 75 lock held")
    func exitStatuses() throws {
        let dir = try setUp()
        let usage = try twinning(["match", "--no-such-option"], in: dir)
        #expect(usage.status == 64 && usage.stderr.hasPrefix("error: Unknown option '--no-such-option'"), "one style of message: \(usage.stderr)")
        let missing = try twinning(["match", "--hromadas", "nowhere.csv", "--partners", "p.csv", "--ties", ""], in: dir)
        #expect(missing.status == 66 && missing.stderr.contains("nowhere.csv: cannot read the file: no such file"), "\(missing.stderr)")
        #expect(try twinning(["batch", "history"], in: dir).status == 64, "no job named")
        try "id,name\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        #expect(try twinning(["match", "--hromadas", "bad.csv", "--partners", "p.csv", "--ties", ""], in: dir).status == 65)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("taken"), withIntermediateDirectories: true)
        #expect(try twinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "", "--out", "taken"], in: dir).status == 73)
        // Outputs that cannot be made are named as given, with the reason.
        let empty = try twinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "", "--out", ""], in: dir)
        #expect(empty.status == 73 && empty.stderr == "error: '': is no name: name a folder to create\n", "\(empty.stderr)")
        try "x".write(to: dir.appendingPathComponent("afile"), atomically: true, encoding: .utf8)
        let underFile = try twinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "", "--out", "afile/sub"], in: dir)
        #expect(underFile.status == 73 && underFile.stderr == "error: afile/sub: cannot be created: afile is not a folder\n", "\(underFile.stderr)")
        if getuid() != 0 {   // root writes anywhere
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("ro"), withIntermediateDirectories: true)
            chmod(dir.appendingPathComponent("ro").path, 0o555)
            let readOnly = try twinning(["match", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "", "--out", "ro/out"], in: dir)
            #expect(readOnly.status == 73 && readOnly.stderr.hasPrefix("error: ro/out: cannot be created: no permission to write in ro"), "\(readOnly.stderr)")
        }
        let shortlist = try twinning(["shortlist", "--hromadas", "h.csv", "--partners", "p.csv", "--ties", "", "--out", "afile"], in: dir)
        #expect(shortlist.status == 73 && shortlist.stderr == "error: afile: already exists: choose another name, or remove it\n", "no --force to suggest: \(shortlist.stderr)")
        #expect(try twinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        // Another run holds the lock: 75, at once.
        let lock = try Lock(path: dir.appendingPathComponent("out/.twinning-batch.lock").path)
        let blocked = try twinning(["batch", "run", "--job", "job.yaml"], in: dir)
        lock.release()
        #expect(blocked.status == 75 && blocked.stderr.contains("is locked"), "\(blocked.stderr)")
        // A store that is not a database: 74, naming it.
        try Data("not a database".utf8).write(to: dir.appendingPathComponent("out/store.sqlite"))
        let corrupt = try twinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(corrupt.status == 74 && corrupt.stderr.contains("out/store.sqlite"), "\(corrupt.stderr)")
    }

    @Test("SHA-256 of every input, as sha256sum prints it, in proposals.json and the store")
    func digests() throws {
        let dir = try setUp()
        #expect(try twinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let sums = try ReadmeTests.shell("sha256sum h.csv p.csv t.csv", in: dir, path: "/usr/bin:/bin")
        var expected: [String: String] = [:]
        for line in sums.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            expected[String(f[1])] = String(f[0])
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/run-1-main/proposals.json"))) as? [String: Any]
        let inputs = try #require(json?["inputs"] as? [String: [String: String]])
        for (role, file) in [("hromadas", "h.csv"), ("partners", "p.csv"), ("ties", "t.csv")] {
            #expect(inputs[role]?["sha256"] == expected[file], "\(role)")
            #expect(inputs[role]?["path"] == file)
        }
        #expect(inputs["decisions"]?["sha256"]?.count == 64)
        let show = try twinning(["batch", "show", "1", "--job", "job.yaml"], in: dir)
        #expect(show.stdout.contains("hromadas   h.csv  sha256 \(expected["h.csv"]!)"), "\(show.stdout)")
        #expect(json?["tool_version"] as? String == TwinningVersion.string)
    }

    @Test("decisions: list, revoke, duplicates and no-ops said so, an existing partnership refused")
    func decisions() throws {
        let dir = try setUp()
        try "ua_id,eu_id,status\nUA4,EL_1,existing\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        #expect(try twinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        func decide(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try twinning(["decide"] + args + ["--job", "job.yaml"], in: dir)
        }
        let kyivska = "UA1 (Київська · Kyivska) – PL_1 (Kraków)"
        #expect(try decide(["reject", "UA1", "PL_1", "--note", "no fit"]).stdout == "\(kyivska): rejected\nrecorded 1 decision(s)\n")
        let again = try decide(["reject", "UA1", "PL_1"])
        #expect(again.status == 0 && again.stdout.hasPrefix("\(kyivska): already rejected on "), "\(again.stdout)")
        #expect(again.stdout.hasSuffix("recorded 0 decision(s), 1 unchanged\n"))
        let existing = try decide(["accept", "UA4", "EL_1"])
        #expect(existing.status == 65 && existing.stderr.contains(
            "UA4 (Деражненська · Derazhnenska) – EL_1 (Αθήνα · Athina) is an existing partnership (existing in t.csv, line 2)"), "\(existing.stderr)")
        // Named as explain names them, in either script; a misspelt name gets the closest.
        let byName = try decide(["accept", "Бетівська", "Jena"])
        #expect(byName.status == 0 && byName.stdout.hasPrefix("UA2 ("), "\(byName.stdout)\(byName.stderr)")
        let misspelt = try decide(["accept", "UA2", "Jenna"])
        #expect(misspelt.status == 65 && misspelt.stderr.contains("did you mean \"Jena\""), "\(misspelt.stderr)")
        var list = try decide(["list"])
        #expect(list.stdout.contains("reject  \(kyivska)  no fit") && list.stdout.contains("accept  UA2 ("), "\(list.stdout)")
        #expect(list.stdout.hasSuffix("2 decision(s) in force\n"))
        // A decision replacing another says which; a revoke typed in another Unicode normalisation is the same pair.
        let switched = try decide(["accept", "UA1", "PL_1"])
        #expect(switched.stdout.hasPrefix("\(kyivska): accepted, replacing its rejection of "), "\(switched.stdout)")
        // A second accept for a hromada wanting one partner is refused, naming both.
        let twice = try decide(["accept", "UA1", "PL_2"])
        #expect(twice.status == 65 && twice.stderr.contains("UA1 (Київська · Kyivska) wants 1 partner but would have 2 accepted: "
                                                           + "PL_1 (Kraków), PL_2 (Wieliczka); revoke one first"), "\(twice.stderr)")
        #expect(try decide(["reject", "UA1", "PL_1"]).stdout.contains("rejected, replacing its acceptance of "))
        let nfd = "Kraków".decomposedStringWithCanonicalMapping
        #expect(Array(nfd.utf8) != Array("Kraków".utf8))
        let revoked = try decide(["revoke", "UA1", nfd])
        #expect(revoked.stdout.hasPrefix("\(kyivska): revoked, replacing its rejection of ") && revoked.stdout.hasSuffix("recorded 1 decision(s)\n"),
                "\(revoked.stdout)\(revoked.stderr)")
        #expect(try decide(["revoke", "UA1", "PL_1"]).stdout.contains("no decision in force, nothing to revoke"))
        list = try decide(["list"])
        #expect(!list.stdout.contains(kyivska) && list.stdout.hasSuffix("1 decision(s) in force\n"), "\(list.stdout)")
        #expect(try decide(["list", "--all"]).stdout.hasSuffix("5 decision(s) recorded\n"))
        // The next run applies what is in force, and records it with the run.
        #expect(try twinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let store = try RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        #expect(try store.decisions(run: 2).map { "\($0.kind.rawValue) \($0.hromada) \($0.partner)" } == ["accept UA2 DE_1"])
    }

    @Test("the job is named by --job or TWINNING_JOB; the latest run of each scenario has a link; prune keeps the latest")
    func jobLinksAndPruning() throws {
        let dir = try setUp()
        for _ in 0..<3 { #expect(try twinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0) }
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("out/latest-main").path)
        #expect(link == "run-3-main")
        try "my notes".write(to: dir.appendingPathComponent("out/run-1-main/notes.txt"), atomically: true, encoding: .utf8)
        let process = try ReadmeTests.shell("TWINNING_JOB=job.yaml twinning batch prune --keep 1", in: dir,
                                            path: try twinningBinary().deletingLastPathComponent().path)
        #expect(process.contains("run 1 kept: run-1-main holds files twinning did not write (notes.txt)"), "\(process)")
        #expect(process.contains("removed 1 run(s): 2"), "\(process)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        #expect(names == [".twinning-batch.lock", ".twinning-store-id", "latest-main", "run-1-main", "run-3-main", "store.sqlite"], "\(names)")
        let store = try RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        #expect(try store.runs().map(\.id) == [1, 3])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("batch lines carry their time and level when not on a terminal")
    func timestamps() throws {
        let dir = try setUp()
        let run = try twinning(["batch", "run", "--job", "job.yaml"], in: dir)
        let first = try #require(run.stdout.split(separator: "\n").first)
        #expect(first.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info    run 1 main: "#, options: .regularExpression) != nil, "\(first)")
    }

    @Test("a store made by the first schema is upgraded and keeps working: old runs, decisions, the next run")
    func storeMigration() throws {
        let dir = try setUp(withStore: true)
        let history = try twinning(["batch", "history", "--job", "job.yaml"], in: dir)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("  1  main") && history.stdout.contains("out/run-2-main"), "\(history.stdout)")
        let store = try RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        #expect(try store.schemaVersions() == ["v1", "v2", "v3"])
        #expect(try store.runs().map(\.folder) == ["run-1-main", "run-2-main"])
        let old = try twinning(["batch", "show", "1", "--job", "job.yaml"], in: dir)
        #expect(old.stdout.contains("(recorded by an earlier version)"), "\(old.stdout)")
        let list = try twinning(["decide", "list", "--job", "job.yaml"], in: dir)
        #expect(list.stdout.contains("reject  UA1 (Київська · Kyivska) – PL_1 (Kraków)  made by version 0.1"), "\(list.stdout)")
        let next = try twinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("run 3 main: ") && next.stdout.contains("since run 2"), "\(next.stdout)")
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.decisions(run: 3).count == 1)
    }

    @Test("a store written by the last version (schema v2: statuses, counts and timings as text) is upgraded: runs read typed, their output folder recorded, decisions and the next run work")
    func storeMigrationFromV2() throws {
        let dir = try scratchDirectory()
        let fixture = Self.fixture.deletingLastPathComponent().appendingPathComponent("store-v2")
        for name in ["h.csv", "p.csv", "t.csv", "job.yaml", "out"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let show = try twinning(["batch", "show", "1", "--job", "job.yaml"], in: dir)
        #expect(show.status == 0 && show.stdout.contains("counts: proposals 5, seeking 4, unmatched 1")
                && show.stdout.contains("  hromadas   h.csv  sha256 26b89aca2b298dd9a003868d35a3a7b9a937e256f9bb16086c11aab61d3eb345"), "\(show.stdout)\(show.stderr)")
        let store = try RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        #expect(try store.schemaVersions() == ["v1", "v2", "v3"])
        let runs = try store.runs()
        #expect(runs.map(\.status) == [.ok, .ok] && runs.allSatisfy { ($0.timings.total ?? 0) > 0 && $0.counts?.proposals == 5 })
        #expect(try store.decisions().map { "\($0.kind.rawValue) \($0.hromada) \($0.partner) \($0.note) \($0.overridesRules)" }
                == ["reject UA1 PL_1 made by 0.2.0 with schema v2 false"])
        let next = try twinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(next.status == 0 && next.stdout.contains("run 3 main: ") && next.stdout.contains("since run 2"), "\(next.stdout)\(next.stderr)")
        let out = dir.appendingPathComponent("out").resolvingSymlinksInPath().path
        #expect(try store.runs().map(\.outputFolder) == [out, out, out], "every run placed in its output folder")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("the example job and rules in examples/ are valid against the shipped data")
    func examples() throws {
        let result = try twinning(["validate", "Data/hromadas.csv", "Data/partners.csv", "examples/nightly.yaml", "examples/rules.yaml"],
                                  in: ReadmeTests.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("examples/nightly.yaml: ok (job: 3 scenario(s)"), "\(result.stdout)")
        #expect(result.stdout.contains("examples/rules.yaml: ok (rules: "), "\(result.stdout)")
    }
}
