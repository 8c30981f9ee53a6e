import ArgumentParser
import Foundation
import Twinning
import TwinningBatch

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly runner: match every scenario of a job, record runs, report changes.",
        subcommands: [BatchRun.self, BatchHistory.self, BatchShow.self, BatchDiff.self])
}

/// The job file every batch and decide command works on.
struct JobOption: ParsableArguments {
    @Option(help: "The job file (YAML).")
    var job = "twinning-job.yaml"

    func store() throws -> (Job, RunStore) {
        let j: Job
        do { j = try Job.load(path: job) } catch { throw CleanExit.failure(error.description) }
        do { return (j, try RunStore(path: j.store)) } catch { throw CleanExit.failure("\(j.store): \(error)") }
    }
}

struct BatchRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every scenario of a job once (takes a lock; safe to run from cron).",
        discussion: """
        Reads the inputs and the decisions in the run store, matches every scenario, writes
        each run's proposals into a new folder OUTPUT/run-ID-SCENARIO (atomically), records
        the run and prints what changed since the previous run of the same scenario. A
        second run while one holds the lock exits 1 at once.

        Example:
          twinning batch run nightly.yaml
        """)

    @Argument(help: "The job file (YAML).")
    var job: String

    func run() throws {
        let reports: [BatchRunner.ScenarioReport]
        do { reports = try BatchRunner.run(jobPath: job, toolVersion: TwinningVersion.string) } catch let e as BatchError {
            throw CleanExit.failure(e.description)
        } catch { throw CleanExit.failure("\(error)") }
        for r in reports {
            let new = r.changes.filter { $0.kind == .new }, dropped = r.changes.filter { $0.kind == .dropped }
            let kept = r.changes.filter { $0.kind == .kept }
            let since = r.previousRun.map { "since run \($0)" } ?? "first run"
            print("run \(r.runID) \(r.scenario): \(r.proposals) proposals → \(r.output)")
            print("  \(since): \(new.count) new, \(dropped.count) dropped, \(kept.count) kept"
                  + (r.previousRun != nil && new.isEmpty && dropped.isEmpty ? " (no change)" : ""))
            if r.previousRun != nil {
                for c in (dropped + new).prefix(20) { print("  \(c.kind.rawValue) \(c.pair.hromada) – \(c.pair.partner): \(c.reason)") }
                if new.count + dropped.count > 20 { print("  … \(new.count + dropped.count - 20) more: twinning batch diff") }
            }
        }
    }
}

struct BatchHistory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List recorded runs.")
    @OptionGroup var job: JobOption

    func run() throws {
        let (_, store) = try job.store()
        print("run  scenario          started               status  proposals  output")
        for r in try store.runs() {
            let proposals = try store.proposals(run: r.id).count
            print(String(r.id).leftPad(3) + "  " + r.scenario.padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                  + r.startedAt + "  " + r.status.padding(toLength: 6, withPad: " ", startingAt: 0) + String(proposals).leftPad(11)
                  + "  " + r.output)
        }
    }
}

struct BatchShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run: inputs, weights, counts, timings.")
    @OptionGroup var job: JobOption
    @Argument(help: "Run id.") var runID: Int64

    func run() throws {
        let (_, store) = try job.store()
        guard let r = try store.run(runID) else { throw CleanExit.failure("no run \(runID) in the store") }
        print("run \(r.id), scenario \(r.scenario), \(r.status)")
        print("started \(r.startedAt), finished \(r.finishedAt), twinning \(r.toolVersion)")
        print("inputs \(r.inputs)")
        print("counts \(r.counts)")
        print("timings \(r.timings)")
        print("output \(r.output)")
        print("weights:\n" + r.weights.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
    }
}

struct BatchDiff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Proposals new, dropped and kept between two runs.")
    @OptionGroup var job: JobOption
    @Argument(help: "Earlier run id.") var from: Int64
    @Argument(help: "Later run id.") var to: Int64

    func run() throws {
        let (_, store) = try job.store()
        for id in [from, to] where try store.run(id) == nil { throw CleanExit.failure("no run \(id) in the store") }
        let changes = Diff.changes(
            previous: try store.proposals(run: from), current: try store.proposals(run: to), decisions: try store.decisions(),
            previousHromadas: try store.participants(run: from, side: "hromada"),
            previousPartners: try store.participants(run: from, side: "partner"),
            currentHromadas: try store.participants(run: to, side: "hromada"),
            currentPartners: try store.participants(run: to, side: "partner"))
        for kind in [Change.Kind.new, .dropped] {
            for c in changes where c.kind == kind { print("\(kind.rawValue) \(c.pair.hromada) – \(c.pair.partner): \(c.reason)") }
        }
        print("\(changes.filter { $0.kind == .new }.count) new, \(changes.filter { $0.kind == .dropped }.count) dropped, "
              + "\(changes.filter { $0.kind == .kept }.count) kept")
    }
}

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record coordinators' decisions: accepted pairs are kept, rejected ones never proposed again.",
        discussion: """
        Examples:
          twinning decide accept UA05020030000031457 PL_1261011 --note "signed 12 May" --job nightly.yaml
          twinning decide import decisions.csv --job nightly.yaml   # ua_id,eu_id,decision[,note]
        """,
        subcommands: [Accept.self, Reject.self, Import.self])

    static func record(_ decisions: [RunStore.Decision], job: JobOption) throws {
        let (j, store) = try job.store()
        let h: Registry, p: Registry
        do {
            h = try Registry.load(path: j.hromadas, side: .hromadas)
            p = try Registry.load(path: j.partners, side: .partners)
        } catch { throw CleanExit.failure(error.description) }
        let hi = h.index(), pi = p.index()
        let unknown = decisions.filter { hi[$0.hromada] == nil || pi[$0.partner] == nil }
        if !unknown.isEmpty {
            throw CleanExit.failure(unknown.map { d in
                hi[d.hromada] == nil ? "unknown hromada id \(d.hromada) (not in \(h.file))" : "unknown partner id \(d.partner) (not in \(p.file))"
            }.joined(separator: "\n") + "\nnothing recorded")
        }
        do { try store.record(decisions) } catch { throw CleanExit.failure("\(j.store): \(error)") }
        print("recorded \(decisions.count) decision(s)")
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    struct Accept: ParsableCommand {
        @OptionGroup var job: JobOption
        @Argument var uaID: String
        @Argument var euID: String
        @Option var note = ""
        func run() throws { try Decide.record([.init(hromada: uaID, partner: euID, kind: .accept, note: note, decidedAt: Decide.now())], job: job) }
    }

    struct Reject: ParsableCommand {
        @OptionGroup var job: JobOption
        @Argument var uaID: String
        @Argument var euID: String
        @Option var note = ""
        func run() throws { try Decide.record([.init(hromada: uaID, partner: euID, kind: .reject, note: note, decidedAt: Decide.now())], job: job) }
    }

    struct Import: ParsableCommand {
        @OptionGroup var job: JobOption
        @Argument(help: "CSV with ua_id,eu_id,decision (accept or reject) and optional note.") var file: String
        func run() throws {
            let name = (file as NSString).lastPathComponent
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CleanExit.failure("\(name): cannot read the file") }
            var lines = text.split(whereSeparator: \.isNewline).map(String.init)
            guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }),
                  let a = header.firstIndex(of: "ua_id"), let b = header.firstIndex(of: "eu_id"), let c = header.firstIndex(of: "decision") else {
                throw CleanExit.failure("\(name):1: expected a header with ua_id, eu_id, decision (and optionally note)")
            }
            let noteColumn = header.firstIndex(of: "note")
            lines.removeFirst()
            var decisions: [RunStore.Decision] = [], problems: [String] = []
            for (k, line) in lines.enumerated() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard f.count == header.count else { problems.append("\(name):\(k + 2): expected \(header.count) fields"); continue }
                guard let kind = RunStore.Decision.Kind(rawValue: f[c]) else {
                    problems.append("\(name):\(k + 2):\(c + 1): decision must be accept or reject, found \"\(f[c])\""); continue
                }
                decisions.append(.init(hromada: f[a], partner: f[b], kind: kind, note: noteColumn.map { f[$0] } ?? "", decidedAt: Decide.now()))
            }
            if !problems.isEmpty { throw CleanExit.failure(problems.joined(separator: "\n") + "\nnothing recorded") }
            try Decide.record(decisions, job: job)
        }
    }
}
