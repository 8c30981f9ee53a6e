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
    @Option(help: ArgumentHelp("The job file (YAML).", valueName: "file"))
    var job = "twinning-job.yaml"

    func store() throws -> (Job, RunStore) {
        let j = try Job.load(path: job)
        return (j, try RunStore(path: j.store))
    }
}

struct BatchRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every scenario of a job once (takes a lock; safe to run from cron).",
        discussion: """
        Reads the inputs and the decisions in the run store, matches every scenario, writes each run's proposals into \
        a new folder OUTPUT/run-ID-SCENARIO (atomically), records the run and prints what changed since the previous \
        run of the same scenario. A second run while one holds the lock exits 75 at once.

        Example:
          twinning batch run nightly.yaml
        """)

    @Argument(help: ArgumentHelp("The job file (YAML).", valueName: "job"))
    var job: String

    func run() throws {
        let reports = try BatchRunner.run(jobPath: job, toolVersion: TwinningVersion.string)
        for r in reports {
            let new = r.changes.filter { $0.kind == .new }, dropped = r.changes.filter { $0.kind == .dropped }
            let kept = r.changes.filter { $0.kind == .kept }
            let since = r.previousRun.map { "since run \($0)" } ?? "first run"
            print("run \(r.runID) \(r.scenario): \(r.proposals) proposals → \(r.output)")
            print("  \(since): \(new.count) new, \(dropped.count) dropped, \(kept.count) kept"
                  + (r.previousRun != nil && new.isEmpty && dropped.isEmpty ? " (no change)" : ""))
            if r.previousRun != nil {
                for c in (dropped + new).prefix(20) { print("  \(c.kind.rawValue) \(c.pair): \(c.reason)") }
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
    @Argument(help: ArgumentHelp("Run id.", valueName: "run")) var runID: Int64

    func run() throws {
        let (_, store) = try job.store()
        guard let r = try store.run(runID) else { throw Failure("no run \(runID) in the store", .badInput) }
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
    @Argument(help: ArgumentHelp("Earlier run id.", valueName: "from")) var from: Int64
    @Argument(help: ArgumentHelp("Later run id.", valueName: "to")) var to: Int64

    func run() throws {
        let (_, store) = try job.store()
        for id in [from, to] where try store.run(id) == nil { throw Failure("no run \(id) in the store", .badInput) }
        let changes = Diff.changes(
            previous: try store.proposals(run: from), current: try store.proposals(run: to), decisions: try store.decisions(),
            previousHromadas: try store.participants(run: from, side: "hromada"),
            previousPartners: try store.participants(run: from, side: "partner"),
            currentHromadas: try store.participants(run: to, side: "hromada"),
            currentPartners: try store.participants(run: to, side: "partner"))
        for kind in [Change.Kind.new, .dropped] {
            for c in changes where c.kind == kind { print("\(kind.rawValue) \(c.pair): \(c.reason)") }
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
          twinning decide accept UA05020030000031457 DE_08212000 --note "signed 12 May" --job nightly.yaml
          twinning decide import decisions.csv --job nightly.yaml   # ua_id,eu_id,decision[,note]
        """,
        subcommands: [Accept.self, Reject.self, Import.self])

    static func record(_ decisions: [RunStore.Decision], job: JobOption) throws {
        let (j, store) = try job.store()
        let loaded = try LoadedInputs.load(InputPaths(hromadas: j.hromadas, partners: j.partners))
        let resolver = IDResolver(hromadas: loaded.hromadas, partners: loaded.partners)
        var problems: [String] = []
        for d in decisions {
            if case let .failure(message) = resolver.hromada(d.hromada, suggest: problems.count < 10) { problems.append(message) }
            if case let .failure(message) = resolver.partner(d.partner, suggest: problems.count < 10) { problems.append(message) }
        }
        if !problems.isEmpty { throw Failure(problems.joined(separator: "\n") + "\nnothing recorded", .badInput) }
        try store.record(decisions)
        print("recorded \(decisions.count) decision(s)")
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a pair: it is kept in every later run.")
        @OptionGroup var job: JobOption
        @Argument(help: ArgumentHelp("Hromada id.", valueName: "ua-id")) var uaID: String
        @Argument(help: ArgumentHelp("Partner id.", valueName: "eu-id")) var euID: String
        @Option(help: ArgumentHelp("Why, for the record.", valueName: "text")) var note = ""
        func run() throws { try Decide.record([.init(hromada: uaID, partner: euID, kind: .accept, note: note, decidedAt: Decide.now())], job: job) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a pair: it is never proposed again.")
        @OptionGroup var job: JobOption
        @Argument(help: ArgumentHelp("Hromada id.", valueName: "ua-id")) var uaID: String
        @Argument(help: ArgumentHelp("Partner id.", valueName: "eu-id")) var euID: String
        @Option(help: ArgumentHelp("Why, for the record.", valueName: "text")) var note = ""
        func run() throws { try Decide.record([.init(hromada: uaID, partner: euID, kind: .reject, note: note, decidedAt: Decide.now())], job: job) }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record many decisions from a CSV file (ua_id,eu_id,decision[,note]).")
        @OptionGroup var job: JobOption
        @Argument(help: ArgumentHelp("CSV with ua_id,eu_id,decision (accept or reject) and optional note.", valueName: "file"))
        var file: String

        func run() throws {
            let decisions = try DecisionFile.load(path: file, decidedAt: Decide.now())
            try Decide.record(decisions, job: job)
        }
    }
}
