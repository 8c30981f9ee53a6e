import Foundation
import Testing
import TwinningTestSupport
import SeededRandom
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch
@testable import TwinningBatch

@Suite(.serialized) struct BatchTests {
    func setUp() throws -> URL {
        let dir = try scratchDirectory()
        try smallHromadas.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try smallPartners.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try "ua_id,eu_id,status\n".write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try """
            hromadas: h.csv
            partners: p.csv
            ties: t.csv
            store: out/store.sqlite
            output: out
            scenarios:
              - name: main

            """.write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    func proposals(_ dir: URL, run: Int) throws -> Set<String> {
        let data = try Data(contentsOf: dir.appendingPathComponent("out/run-\(run)-main/proposals.csv"))
        let table = try CSVTable.parse(data, file: "proposals.csv")
        let h = table.header.firstIndex(of: "hromada_id")!, p = table.header.firstIndex(of: "partner_id")!
        return Set((0..<table.count).map { r in
            "\(table.string(r, h))|\(table.string(r, p))"
        })
    }

    @Test("unchanged inputs: second run reports no change and writes byte-identical proposals")
    func rerunIsIdentical() throws {
        let dir = try setUp()
        let first = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(second.status == 0)
        #expect(second.stdout.contains("since run 1: 0 new, 0 dropped"))
        #expect(second.stdout.contains("(no change)"))
        for file in ["proposals.csv", "proposals.json"] {
            #expect(try Data(contentsOf: dir.appendingPathComponent("out/run-1-main/\(file)"))
                    == Data(contentsOf: dir.appendingPathComponent("out/run-2-main/\(file)")))
        }
        let history = try runTwinning(["batch", "history", "--job", "job.yaml"], in: dir)
        #expect(history.stdout.split(separator: "\n").count == 3)
        let show = try runTwinning(["batch", "show", "2", "--job", "job.yaml"], in: dir)
        #expect(show.stdout.contains("scenario main, ok") && show.stdout.contains("sha256 "), "\(show.stdout)")
    }

    @Test("decisions round-trip: accepted pairs kept, rejected never proposed, unknown ids refused")
    func decisions() throws {
        let dir = try setUp()
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let before = try proposals(dir, run: 1)
        let victim = before.sorted().first!.split(separator: "|").map(String.init)
        let reject = try runTwinning(["decide", "reject", victim[0], victim[1], "--note", "met, no fit", "--job", "job.yaml"], in: dir)
        #expect(reject.status == 0, "\(reject.stderr)")
        // An accepted pair that the optimum did not choose.
        let accept = try runTwinning(["decide", "accept", "UA2", "DE_1", "--job", "job.yaml"], in: dir)
        #expect(accept.status == 0)
        let unknown = try runTwinning(["decide", "accept", "UA9", "DE_1", "--job", "job.yaml"], in: dir)
        #expect(unknown.status == 65 && unknown.stderr.contains("unknown hromada \"UA9\": neither an id nor a name in h.csv"), "\(unknown.stderr)")
        let second = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let after = try proposals(dir, run: 2)
        #expect(!after.contains(victim.joined(separator: "|")))
        #expect(after.contains("UA2|DE_1"))
        #expect(second.stdout.contains("dropped \(victim[0]) (") && second.stdout.contains("rejected by a coordinator"), "\(second.stdout)")
        let store = try RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        let stored = try store.decisions()
        #expect(stored.map { "\($0.hromada)|\($0.partner)|\($0.kind.rawValue)|\($0.note)" }.sorted()
                == ["UA2|DE_1|accept|", "\(victim[0])|\(victim[1])|reject|met, no fit"].sorted())
    }

    @Test("a second run while one holds the lock exits at once with a clear message")
    func lockContention() throws {
        let dir = try setUp()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let fd = open(dir.appendingPathComponent("out/.twinning-batch.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let blocked = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("another `twinning batch run` is running"))
        flock(fd, LOCK_UN); close(fd)
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
    }

    @Test("corrupt or missing input fails the run cleanly and leaves the store unchanged")
    func badInput() throws {
        let dir = try setUp()
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let storePath = dir.appendingPathComponent("out/store.sqlite").path
        let before = try Data(contentsOf: URL(fileURLWithPath: storePath))
        try "id,name\nbroken".write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let corrupt = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(corrupt.status != 0 && corrupt.stderr.contains("p.csv:1: missing column"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("h.csv"))
        let missing = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(missing.status != 0 && missing.stderr.contains("h.csv: cannot read the file"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: storePath)) == before)
        let outputs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        #expect(outputs.filter { $0.hasPrefix("run-") } == ["run-1-main"])
    }

    /// Runs the crash helper on the job, killed at its `n`-th checkpoint; returns the checkpoint it printed.
    func killedRun(_ dir: URL, at n: Int) throws -> String {
        let run = try runProcess(try helperBinary("batch-crash"), ["job.yaml", String(n)], in: dir)
        #expect(run.killed, "helper was not killed at checkpoint \(n): \(run.stdout)")
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a run killed after its folder is in place: the folder existed, the next run finishes it and succeeds")
    func killedAfterPlacing() throws {
        let dir = try setUp()
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let previous = try Data(contentsOf: dir.appendingPathComponent("out/run-1-main/proposals.csv"))
        // Checkpoints: ready, pending, staged, placed.
        #expect(try killedRun(dir, at: 4) == "placed(scenario: \"main\")")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/run-2-main/proposals.csv").path),
                "the run folder was in place when the process was killed")
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/run-1-main/proposals.csv")) == previous)
        let next = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("run 3 main"))
        let store = try RunStore(path: dir.appendingPathComponent("out/store.sqlite").path)
        #expect(try store.runs().map { "\($0.id) \($0.status)" } == ["1 ok", "2 ok", "3 ok"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).filter { $0.hasPrefix("run-") }
        #expect(Set(folders) == ["run-1-main", "run-2-main", "run-3-main"])
    }

    @Test("a run killed before its folder is in place leaves nothing; the next run rolls it back and succeeds")
    func killedBeforePlacing() throws {
        let dir = try setUp()
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let storePath = dir.appendingPathComponent("out/store.sqlite").path
        #expect(try killedRun(dir, at: 3) == "staged(scenario: \"main\")")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/run-2-main").path))
        let next = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("run 2 main"))
        let store = try RunStore(path: storePath)
        #expect(try store.runs().map { "\($0.id) \($0.status)" } == ["1 ok", "2 ok"])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        #expect(Set(names.filter { $0.contains("run-") }) == ["run-1-main", "run-2-main"], "\(names)")
    }

    @Test("the log: each run as soon as it is recorded, so a later scenario's failure leaves it in the log; errors time-stamped like the rest")
    func logOfAFailingJob() throws {
        let dir = try setUp()
        try "country_minimums:\n  DE: 50\n".write(to: dir.appendingPathComponent("minimums.yaml"), atomically: true, encoding: .utf8)
        let job = dir.appendingPathComponent("job.yaml")
        try (String(contentsOf: job, encoding: .utf8) + "  - name: strict\n    rules: minimums.yaml\n").write(to: job, atomically: true, encoding: .utf8)
        let result = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(result.status == 65, "\(result.stderr)")
        let stamp = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ "#
        #expect(result.stdout.range(of: stamp + #"info    run 1 main: \d+ proposals → out/run-1-main"#, options: .regularExpression) != nil, "\(result.stdout)")
        #expect(result.stderr.range(of: stamp + "error   .*country_minimums in minimums.yaml cannot all be met", options: .regularExpression) != nil,
                "\(result.stderr)")
    }

    @Test("two runs started together: one runs, the other exits 75 (locked), never 74; a writer holding the store a moment (a decision) is waited for")
    func concurrentStarts() throws {
        let dir = try setUp()
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        for _ in 0..<3 {
            var statuses = [Int32](repeating: -1, count: 2)
            statuses.withUnsafeMutableBufferPointer { buffer in
                let shared = SharedStatuses(buffer)
                DispatchQueue.concurrentPerform(iterations: 2) { k in
                    shared.set(k, (try? runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status) ?? -1)
                }
            }
            #expect(statuses.allSatisfy { $0 == 0 || $0 == 75 } && statuses.contains(0), "\(statuses)")
        }
        // Another process holds the store's write lock for two seconds: the run waits, then succeeds.
        try """
            import sqlite3, time
            c = sqlite3.connect('out/store.sqlite', isolation_level=None)
            c.execute('BEGIN IMMEDIATE')
            open('held', 'w').close()
            time.sleep(2)
            c.execute('COMMIT')
            """.write(to: dir.appendingPathComponent("hold.py"), atomically: true, encoding: .utf8)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = ["hold.py"]
        holder.currentDirectoryURL = dir
        try holder.run()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("held").path) { usleep(10_000) }
        let run = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        holder.waitUntilExit()
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test("decide accept of a pair the job's rules leave out asks for --override-rules, and records it; the next run proposes that pair only")
    func acceptOverridingRules() throws {
        let dir = try setUp()
        try "partner_countries: [PL]\n".write(to: dir.appendingPathComponent("pl.yaml"), atomically: true, encoding: .utf8)
        let job = dir.appendingPathComponent("job.yaml")
        try String(contentsOf: job, encoding: .utf8).replacingOccurrences(of: "  - name: main\n", with: "  - name: main\n    rules: pl.yaml\n")
            .write(to: job, atomically: true, encoding: .utf8)
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        var result = try runTwinning(["decide", "accept", "UA2", "DE_1", "--job", "job.yaml"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("the rules in pl.yaml leave it out: its country (DE) is not in partner_countries (line 1); "
                                                              + "accept it all the same with --override-rules"), "\(result.stderr)")
        result = try runTwinning(["decide", "accept", "UA2", "DE_1", "--override-rules", "--job", "job.yaml"], in: dir)
        #expect(result.status == 0 && result.stdout.contains("accepted overriding the rules"), "\(result.stdout)\(result.stderr)")
        #expect(try runTwinning(["decide", "list", "--job", "job.yaml"], in: dir).stdout.contains("(overriding the rules)"))
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0)
        let after = try proposals(dir, run: 2)
        #expect(after.contains("UA2|DE_1"))
        #expect(after.filter { $0.hasSuffix("|DE_1") } == ["UA2|DE_1"], "the override exempts that pair only: \(after)")
    }

    @Test("diff on a hand-made sequence of nights")
    func handMadeNights() {
        func p(_ h: String, _ e: String, _ s: Double) -> RunStore.StoredProposal { .init(pair: IDPair(h, e), score: s) }
        let night1 = [p("UA1", "PL_1", 0.8), p("UA2", "PL_2", 0.7), p("UA3", "DE_1", 0.6)]
        // Night 2: UA1–PL_1 rejected; UA2's partner unchanged but rescored; UA4 signed up; UA3 left.
        let night2 = [p("UA1", "PL_2", 0.75), p("UA2", "PL_2", 0.72), p("UA4", "DE_1", 0.5)]
        let decisions = [RunStore.Decision(hromada: "UA1", partner: "PL_1", kind: .reject, note: "", decidedAt: "")]
        let changes = Diff.changes(previous: night1, current: night2, decisions: decisions,
                                   previousHromadas: ["UA1", "UA2", "UA3"], previousPartners: ["PL_1", "PL_2", "DE_1"],
                                   currentHromadas: ["UA1", "UA2", "UA4"], currentPartners: ["PL_1", "PL_2", "DE_1"])
        #expect(changes == [
            Change(kind: .dropped, pair: IDPair("UA1", "PL_1"), reason: "rejected by a coordinator", decided: true),
            Change(kind: .new, pair: IDPair("UA1", "PL_2"), reason: "the optimum moved (scores, decisions or other pairs changed)"),
            Change(kind: .kept, pair: IDPair("UA2", "PL_2"), reason: "score changed 0.7000 → 0.7200"),
            Change(kind: .dropped, pair: IDPair("UA3", "DE_1"), reason: "hromada UA3 no longer takes part"),
            Change(kind: .new, pair: IDPair("UA4", "DE_1"), reason: "new sign-up: hromada UA4"),
        ])
        // Listed with coordinators' decisions first, then new, then dropped proposals.
        #expect(Change.listed(changes).map(\.pair) == [IDPair("UA1", "PL_1"), IDPair("UA1", "PL_2"), IDPair("UA4", "DE_1"), IDPair("UA3", "DE_1")])
    }
}

/// The batch's invariant under SIGKILL at any moment: killed at every checkpoint of a
/// two-scenario job, and at seeded random times, the store stays sound (`PRAGMA
/// integrity_check`), every folder is a run the store knows and every finished run has its
/// folder; the next run settles what was left, after which folders and finished runs are
/// exactly the same set, and it succeeds. `TWINNING_KILL_SEEDS` sets how many random
/// times are tried (default 24).
@Suite(.serialized) struct KillPropertyTests {
    func setUp() throws -> URL {
        let dir = try BatchTests().setUp()
        let job = dir.appendingPathComponent("job.yaml")
        try (String(contentsOf: job, encoding: .utf8) + "  - name: sticky\n    incumbency_bonus: 0.02\n").write(to: job, atomically: true, encoding: .utf8)
        return dir
    }

    /// Folders named like runs, and the store's runs.
    func state(_ dir: URL) throws -> (folders: Set<String>, ok: Set<String>, known: Set<String>, integrity: String) {
        let out = dir.appendingPathComponent("out")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        let folders = Set(names.filter { $0.hasPrefix("run-") })
        guard FileManager.default.fileExists(atPath: out.appendingPathComponent("store.sqlite").path) else { return (folders, [], [], "ok") }
        let store = try RunStore(path: out.appendingPathComponent("store.sqlite").path)
        let runs = try store.runs()
        return (folders, Set(runs.filter { $0.status == .ok }.map(\.folder)), Set(runs.map(\.folder)), try store.integrityCheck())
    }

    func check(_ dir: URL, after what: String) throws {
        var s = try state(dir)
        #expect(s.integrity == "ok", "\(what): integrity \(s.integrity)")
        #expect(s.folders.isSubset(of: s.known), "\(what): folders the store does not know: \(s.folders.subtracting(s.known))")
        #expect(s.ok.isSubset(of: s.folders), "\(what): finished runs without a folder: \(s.ok.subtracting(s.folders))")
        let next = try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir)
        #expect(next.status == 0, "\(what): the next run failed: \(next.stderr)")
        s = try state(dir)
        #expect(s.integrity == "ok" && s.folders == s.ok && s.known == s.ok, "\(what): after the next run, folders \(s.folders.sorted()) runs \(s.known.sorted()) finished \(s.ok.sorted())")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).filter { $0.hasSuffix(".partial") || $0.contains(".partial-") }
        #expect(leftovers.isEmpty, "\(what): leftovers \(leftovers)")
    }

    @Test("killed at every checkpoint of a two-scenario run, with and without earlier runs", arguments: 1...9)
    func everyCheckpoint(_ n: Int) throws {
        for earlier in [false, true] {
            let dir = try setUp()
            if earlier { #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0) }
            let point = try BatchTests().killedRun(dir, at: n)
            try check(dir, after: "killed at checkpoint \(n) (\(point)), earlier runs: \(earlier)")
        }
    }

    @Test("killed at seeded random moments")
    func randomMoments() throws {
        let seeds = Int(ProcessInfo.processInfo.environment["TWINNING_KILL_SEEDS"] ?? "") ?? 24
        // How long a whole run takes here, to spread the kills over it.
        let probe = try setUp()
        let started = Date()
        #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: probe).status == 0)
        let span = Date().timeIntervalSince(started)
        var rng = SplitMix64(seed: 2026)
        for seed in 0..<seeds {
            let dir = try setUp()
            if seed % 2 == 1 { #expect(try runTwinning(["batch", "run", "--job", "job.yaml"], in: dir).status == 0) }
            let delay = Double.random(in: 0..<span, using: &rng)
            let process = Process()
            process.executableURL = try twinningBinary()
            process.arguments = ["batch", "run", "--job", "job.yaml"]
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try check(dir, after: String(format: "killed after %.3f s (seed %d)", delay, seed))
        }
    }
}

/// Exit statuses written from concurrent test threads, each to its own slot.
struct SharedStatuses: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int32>
    init(_ buffer: UnsafeMutableBufferPointer<Int32>) { self.buffer = buffer }
    func set(_ k: Int, _ value: Int32) { buffer[k] = value }
}
