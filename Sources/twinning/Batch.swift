import ArgumentParser
import Foundation
import Logging
import Twinning
import TwinningBatch

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly runner: match every scenario of a job, record runs, report changes.",
        discussion: "Every batch and decide command names its job file with --job, or takes it from TWINNING_JOB.",
        subcommands: [BatchRun.self, BatchHistory.self, BatchShow.self, BatchDiff.self, BatchPrune.self])
}

/// The job file every batch and decide command works on: `--job`, else `TWINNING_JOB`.
struct JobOption: ParsableArguments {
    @Option(help: ArgumentHelp("The job file (YAML); default: the TWINNING_JOB environment variable.", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var job: String?

    /// The job file's path, or a usage error saying how to give it.
    func path() throws -> String {
        if let job { return job }
        if let named = ProcessInfo.processInfo.environment["TWINNING_JOB"], !named.isEmpty { return named }
        throw ValidationError("name the job file with --job FILE, or set TWINNING_JOB")
    }

    func load() throws -> Job { try Job.load(path: path()) }

    /// The job and its store, opened for reading (a store the batch has not made yet is
    /// an error, not a new empty file).
    func store() throws -> (Job, RunStore) {
        let j = try load()
        guard FileManager.default.fileExists(atPath: j.store) else {
            throw Failure("the run store \(j.store) does not exist yet: run `twinning batch run --job \(try path())` first", .ioError)
        }
        return (j, try RunStore(path: j.store))
    }
}

struct BatchRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every scenario of a job once (takes a lock; safe to run from cron).",
        discussion: "Reads the inputs and the decisions in the run store, matches every scenario, writes each run's files "
            + "into a new folder OUTPUT/run-ID-SCENARIO (atomically) and points OUTPUT/latest-SCENARIO at it, records the "
            + "run and prints what changed since the previous run of the same scenario. A second run while one holds the "
            + "lock exits 75 at once. On a terminal lines are plain; elsewhere (cron) each starts with its time and level.")

    @OptionGroup var job: JobOption

    func run() throws {
        let log = ConsoleLogHandler.logger
        let path = try job.path()
        Progress.shared.step("reading the inputs of \(path)")
        var scenarios = 1, done = 0, matching = Date()
        do {
            _ = try BatchRunner.run(jobPath: path, toolVersion: TwinningVersion.string, log: log, checkpoint: { point in
                switch point {
                case let .ready(count):
                    scenarios = count
                    matching = Date()
                    Progress.shared.step("matching scenario 1 of \(scenarios)")
                case .recorded:
                    done += 1
                    guard done < scenarios else { return }
                    let left = Date().timeIntervalSince(matching) / Double(done) * Double(scenarios - done)
                    Progress.shared.step("matching scenario \(done + 1) of \(scenarios), about \(Int(left.rounded(.up))) s left")
                default:
                    break
                }
            }, reported: { report in
                Progress.shared.finish()
                Self.log(report, log)
            })
        } catch {
            // In the log like every other line (time-stamped off a terminal), with its exit status.
            Progress.shared.finish()
            let failure = Failure(error)
            log.error("\(failure.message)")
            throw ExitCode(failure.status.rawValue)
        }
        Progress.shared.finish()
    }

    /// Changes listed per run, at most this many (`batch diff` lists them all).
    static let listedChanges = 20

    /// One scenario's run as it is recorded: its counts, then what changed, coordinators'
    /// decisions first, with names.
    static func log(_ r: BatchRunner.ScenarioReport, _ log: Logger) {
        let new = r.changes.filter { $0.kind == .new }, dropped = r.changes.filter { $0.kind == .dropped }
        let kept = r.changes.filter { $0.kind == .kept }
        let since = r.previousRun.map { "since run \($0)" } ?? "first run"
        log.info("run \(r.runID) \(r.scenario): \(r.proposals) proposals → \(r.output)")
        let unchanged = r.previousRun != nil && new.isEmpty && dropped.isEmpty ? " (no change)" : ""
        log.info("  \(since): \(new.count) new, \(dropped.count) dropped, \(kept.count) kept\(unchanged)")
        guard let previous = r.previousRun else { return }
        let listed = Change.listed(r.changes)
        for c in listed.prefix(listedChanges) { log.info("  \(c.kind.rawValue) \(r.labels(c.pair)): \(c.reason)") }
        if listed.count > listedChanges {
            log.info("  … \(listed.count - listedChanges) more: twinning batch diff \(previous) \(r.runID)")
        }
    }
}

struct BatchHistory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List recorded runs.")
    @OptionGroup var job: JobOption

    func run() throws {
        let (j, store) = try job.store()
        print("run  scenario          started               status  proposals  output")
        for r in try store.runs() {
            let proposals = try store.proposals(run: r.id).count
            let id = String(r.id).leftPad(3), scenario = r.scenario.padding(toLength: 16, withPad: " ", startingAt: 0)
            let status = r.status.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            print("\(id)  \(scenario)  \(r.startedAt)  \(status)" + String(proposals).leftPad(11) + "  \(j.output)/\(r.folder)")
        }
    }
}

struct BatchShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one run: inputs with their SHA-256, weights, rules, decisions, counts, timings.")
    @OptionGroup var job: JobOption
    @Argument(help: ArgumentHelp("Run id.", valueName: "run")) var runID: Int64

    func run() throws {
        let (j, store) = try job.store()
        guard let r = try store.run(runID) else { throw Failure("no run \(runID) in the store \(j.store)", .badInput) }
        var lines = ["run \(r.id), scenario \(r.scenario), \(r.status.rawValue), folder \(j.output)/\(r.folder)",
                     "started \(r.startedAt), finished \(r.finishedAt), twinning \(r.toolVersion)", "inputs:"]
        lines += r.inputs.sorted { $0.key < $1.key }.map { role, input in
            let name = role.padding(toLength: 10, withPad: " ", startingAt: 0)
            switch input {
            case let .file(path, sha256): return "  \(name) \(path)  sha256 \(sha256)"
            case let .earlier(value): return "  \(name) \(value) (recorded by an earlier version)"   // schema v1: a short hash or a count
            }
        }
        if let c = r.counts { lines.append("counts: proposals \(c.proposals), seeking \(c.seeking), unmatched \(c.unmatched)") }
        lines.append("timings: " + r.timings.stages.map { "\($0.name) \($0.seconds) s" }.joined(separator: ", ")
                     + (r.timings.recovered == true ? (r.timings.stages.isEmpty ? "" : ", ") + "lost (recovered after a stop)" : ""))
        lines.append("weights: " + r.weights.split(separator: "\n").joined(separator: ", "))
        let rules = Self.object(r.rules)
        lines.append("rules: " + (rules.isEmpty ? "none" : rules.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.compact($0.value))" }
                        .joined(separator: "; ")))
        let decisions = try store.decisions(run: r.id)
        lines.append("decisions applied: \(decisions.count)")
        for d in decisions.prefix(20) { lines.append("  \(d.kind.rawValue) \(d.hromada) – \(d.partner)" + (d.note.isEmpty ? "" : " (\(d.note))")) }
        if decisions.count > 20 { lines.append("  … \(decisions.count - 20) more") }
        print(lines.joined(separator: "\n"))
    }

    static func object(_ json: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    /// A JSON value on one line.
    static func compact(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BatchDiff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Proposals new, dropped and kept between two runs.")
    @OptionGroup var job: JobOption
    @Argument(help: ArgumentHelp("Earlier run id.", valueName: "from")) var from: Int64
    @Argument(help: ArgumentHelp("Later run id.", valueName: "to")) var to: Int64

    func run() throws {
        let (j, store) = try job.store()
        for id in [from, to] where try store.run(id) == nil { throw Failure("no run \(id) in the store \(j.store)", .badInput) }
        let changes = Diff.changes(
            previous: try store.proposals(run: from), current: try store.proposals(run: to), decisions: try store.decisions(run: to),
            previousHromadas: try store.participants(run: from, side: "hromada"),
            previousPartners: try store.participants(run: from, side: "partner"),
            currentHromadas: try store.participants(run: to, side: "hromada"),
            currentPartners: try store.participants(run: to, side: "partner"))
        let loaded = try LoadedInputs.load(j.inputs)
        let labels = PairLabels(hromadas: loaded.hromadas, partners: loaded.partners)
        for c in Change.listed(changes) { print("\(c.kind.rawValue) \(labels(c.pair)): \(c.reason)") }
        print("\(changes.filter { $0.kind == .new }.count) new, \(changes.filter { $0.kind == .dropped }.count) dropped, "
              + "\(changes.filter { $0.kind == .kept }.count) kept")
    }
}

struct BatchPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove all but the latest runs of each scenario: their folders and their records.",
        discussion: "Takes the batch lock. A run folder holding files twinning did not write is left alone, with its run. "
            + "A prune killed half way is finished by the next batch command.")
    @OptionGroup var job: JobOption
    @Option(help: ArgumentHelp("Runs to keep per scenario (at least 1).", valueName: "n")) var keep: Int
    @Flag(help: "List the runs that would be removed, and remove nothing.") var dryRun = false

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be 1 or more: the latest run of each scenario is always kept") }
    }

    func run() throws {
        let log = ConsoleLogHandler.logger
        let removed = try BatchRunner.prune(job: job.load(), keep: keep, dryRun: dryRun, log: log)
        let ids = removed.map { "\($0.id)" }.joined(separator: ", ")
        log.info("\(dryRun ? "would remove" : "removed") \(removed.count) run(s)\(removed.isEmpty ? "" : ": " + ids)")
    }
}

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record coordinators' decisions: accepted pairs are kept, rejected ones never proposed again.",
        discussion: "Decisions apply from the next `batch run` on; `decide list` shows those in force. Each side is named by "
            + "its id or its name (in either script) in the job's hromadas and partners; an existing partnership (in the ties "
            + "file) cannot be decided on, and no hromada or partner can have more accepted pairs than its slots.",
        subcommands: [Accept.self, Reject.self, Revoke.self, Import.self, List.self])

    /// Records the decisions asked for (see ``DecisionDesk``) and prints a line for each.
    static func record(_ requests: [DecisionDesk.Request], job: JobOption, skippingInvalid: Bool = false) throws {
        let (j, store) = try job.store()
        let inputs = try ScenarioInputs.load(j)
        let loaded = inputs.shared
        let outcome = try DecisionDesk.record(requests, decidedAt: now(), store: store, hromadas: loaded.hromadas,
                                              partners: loaded.partners, ties: loaded.ties, leftOutByRules: inputs.rulesCheck(),
                                              skippingInvalid: skippingInvalid)
        for line in outcome.lines { print(line) }
        let unchanged = requests.count - outcome.recorded.count
        print("recorded \(outcome.recorded.count) decision(s)" + (unchanged == 0 ? "" : ", \(unchanged) unchanged"))
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// What accept, reject and revoke take: the pair, by ids or names, and a note.
    struct PairArguments: ParsableArguments {
        @OptionGroup var job: JobOption
        @Argument(help: ArgumentHelp("Hromada id (KATOTTH) or name, in either script.", valueName: "hromada")) var hromada: String
        @Argument(help: ArgumentHelp("Partner id (GISCO LAU id) or name.", valueName: "partner")) var partner: String
        @Option(help: ArgumentHelp("Why, for the record.", valueName: "text")) var note = ""

        func record(_ kind: RunStore.Decision.Kind, overrideRules: Bool = false) throws {
            try Decide.record([.init(hromada: hromada, partner: partner, kind: kind, note: note, overrideRules: overrideRules)], job: job)
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept a pair: it is proposed in every later run.",
            discussion: "A pair the job's rules leave out (in any scenario) needs --override-rules; the store records that it does.")
        @OptionGroup var pair: PairArguments
        @Flag(help: "Accept a pair the job's rules leave out; recorded as overriding them.") var overrideRules = false
        func run() throws { try pair.record(.accept, overrideRules: overrideRules) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a pair: it is never proposed again.")
        @OptionGroup var pair: PairArguments
        func run() throws { try pair.record(.reject) }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw the decision on a pair: it is proposed or not on its merits again (the record is kept).")
        @OptionGroup var pair: PairArguments
        func run() throws { try pair.record(.revoke) }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record many decisions from a CSV file (ua_id,eu_id,decision[,note]; decision accept, reject or revoke).")
        @OptionGroup var job: JobOption
        @Argument(help: ArgumentHelp("The CSV file.", valueName: "file"), completion: .file(extensions: ["csv", "json"])) var file: String

        func run() throws {
            let read = try DecisionFile.load(path: file, decidedAt: Decide.now())
            let stale = try staleness()
            if let stale { print("warning: \(file) \(stale): only the pairs still valid are recorded") }
            try Decide.record(read.map { .init(hromada: $0.decision.hromada, partner: $0.decision.partner, kind: $0.decision.kind,
                                               note: $0.decision.note, origin: "\(file):\($0.line): ") }, job: job,
                              skippingInvalid: stale != nil)
        }

        /// For a file exported from a report: nil when it was made on the proposals of the
        /// latest run of some scenario, else what it was made on.
        func staleness() throws -> String? {
            guard let made = try DecisionFile.proposalsDigest(path: file) else { return nil }
            let (j, store) = try job.store()
            let runs = try store.runs().filter { $0.status == .ok }
            func digest(_ r: RunStore.Run) -> String? { try? Digest.sha256(path: j.output + "/" + r.folder + "/" + ProposalFile.json.rawValue) }
            let latest = Dictionary(grouping: runs, by: \.scenario).compactMap { $0.value.max { $0.id < $1.id } }
            if latest.contains(where: { digest($0) == made }) { return nil }
            if let run = runs.first(where: { digest($0) == made }) {
                return "was made on the proposals of run \(run.id) (scenario \(run.scenario)); later runs have been made since"
            }
            return "was made on proposals that no run of \(j.store) has kept"
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the decisions in force (or, with --all, every decision recorded).")
        @OptionGroup var job: JobOption
        @Flag(help: "Every decision recorded, revoked and replaced ones too, oldest first.") var all = false
        @Option(help: ArgumentHelp("Write them to a CSV file (it must not exist yet).", valueName: "file"), completion: .file(extensions: ["csv", "json"])) var out: String?

        func run() throws {
            if let out { try OutputFile.checkAvailable(out, replace: false, force: nil) }
            let (j, store) = try job.store()
            let decisions = all ? try store.allDecisions() : try store.decisions()
            if let out {
                try OutputFile.write(Data(DecisionFile.csv(decisions).utf8), to: out, replace: false, force: nil)
                print("\(decisions.count) decision(s) written to \(out)")
                return
            }
            let loaded = try LoadedInputs.load(j.inputs)
            let labels = PairLabels(hromadas: loaded.hromadas, partners: loaded.partners)
            for d in decisions {
                print("\(d.decidedAt)  \(d.kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(labels(IDPair(d.hromada, d.partner)))"
                      + (d.overridesRules ? "  (overriding the rules)" : "") + (d.note.isEmpty ? "" : "  \(d.note)"))
            }
            print("\(decisions.count) decision(s)" + (all ? " recorded" : " in force"))
        }
    }
}
