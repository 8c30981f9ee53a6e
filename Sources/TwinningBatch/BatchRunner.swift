import Foundation
import Logging
import Twinning

/// Points of a batch run, in order, where a caller may look in (tests stop the process
/// there to check that a killed run leaves the store and the folders consistent).
public enum BatchCheckpoint: Sendable, Equatable {
    /// Inputs read, store opened, lock taken, a killed run's leftovers settled; the
    /// scenarios about to run.
    case ready(scenarios: Int)
    /// A scenario's run is recorded as pending.
    case pending(scenario: String)
    /// Its files are written into the staging folder.
    case staged(scenario: String)
    /// The staging folder is renamed into place.
    case placed(scenario: String)
    /// The run is marked done.
    case recorded(scenario: String)
}

/// `twinning batch run`: read, lock, recover, apply decisions, match every scenario,
/// write each run's outputs atomically, record it, report what changed.
///
/// A run folder exists if and only if the store records the run, whatever is killed
/// when: each run is first recorded as `pending` (with its proposals), its files are
/// written into a staging folder named after it, the folder is renamed into place, and
/// the run is marked `ok`. A later batch run that finds a pending run finishes it when
/// its folder is in place (the rename is atomic, so the folder is complete) and rolls it
/// back otherwise, removing only the staging folder named in the store.
public enum BatchRunner {
    public struct ScenarioReport: Sendable {
        public let runID: Int64
        public let scenario: String
        /// The run's folder, as the job file's paths give it.
        public let output: String
        public let proposals: Int
        public let changes: [Change]
        public let previousRun: Int64?
        /// The pairs' ids with names, as coordinators read them.
        public let labels: PairLabels
    }

    /// Runs every scenario; `reported` is told each scenario's report as soon as its run
    /// is recorded, so a log shows it even when a later scenario fails.
    public static func run(jobPath: String, toolVersion: String, log: Logger = Logger(label: "twinning.batch"),
                           checkpoint: (BatchCheckpoint) -> Void = { _ in },
                           reported: (ScenarioReport) -> Void = { _ in }) throws(BatchError) -> [ScenarioReport] {
        let job: Job
        do { job = try Job.load(path: jobPath) } catch { throw BatchError(.input, "job file problem, nothing run or recorded:\n\(error)", underlying: error) }
        let inputs = try ScenarioInputs.load(job)
        let (store, lock) = try openStore(job, log: log)
        defer { lock.release() }
        let decisions = try store.decisions()
        let ties = applying(decisions, to: inputs.shared.ties, hromadas: inputs.shared.hromadas, partners: inputs.shared.partners)
        checkpoint(.ready(scenarios: inputs.scenarios.count))
        var reports: [ScenarioReport] = []
        for scenario in inputs.scenarios {
            reports.append(try run(scenario, job: job, inputs: inputs, ties: ties, decisions: decisions, store: store,
                                   toolVersion: toolVersion, log: log, checkpoint: checkpoint))
            reported(reports[reports.count - 1])
        }
        return reports
    }

    /// The job's store and its output folder, locked, with what a killed run left behind
    /// settled. A store belongs to one output folder: the folder keeps the store's id
    /// (``RunStore/storeID()``) in a marker file, so two jobs sharing a store, or a new store
    /// on an old folder, cannot mix their runs.
    /// The lock is taken before the store is opened, so a second run (or a prune) waits
    /// for nothing and exits as locked, never as a store error.
    public static func openStore(_ job: Job, log: Logger) throws(BatchError) -> (RunStore, Lock) {
        do { try FileManager.default.createDirectory(atPath: job.output, withIntermediateDirectories: true) } catch {
            throw BatchError(.output, "cannot create the output folder \(job.output): \(error.localizedDescription)")
        }
        let lock = try Lock(path: job.output + "/.twinning-batch.lock")
        let store: RunStore
        do { store = try RunStore(path: job.store) } catch {
            lock.release()
            throw error
        }
        do {
            try bind(store: store, output: job.output)
            try recover(store: store, output: job.output, log: log)
        } catch {
            lock.release()
            throw error
        }
        return (store, lock)
    }

    static let markerName = ".twinning-store-id"

    /// Checks (or, on first use, writes) the output folder's store marker. A batch killed
    /// while writing the marker leaves its temporary file (`.<marker>.partial-…`), which
    /// nothing reads: it is removed here, under the lock.
    static func bind(store: RunStore, output: String) throws(BatchError) {
        // The store serves one output folder: a second job sharing it with another folder
        // is refused (its runs, prunes and run ids would reach into the other's).
        let real = realPath(output)
        if let bound = try store.outputFolder(), bound != real {
            throw BatchError(.output, "the run store \(store.path) keeps the runs written to \(bound), not to \(output): "
                + "give each job its own store (a store serves one output folder)")
        }
        let id = try store.storeID(), marker = output + "/" + markerName
        for name in (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? [] where name.hasPrefix("." + markerName + ".partial-") {
            unlink(output + "/" + name)
        }
        if let data = FileManager.default.contents(atPath: marker) {
            let found = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard found == id else {
                throw BatchError(.output, "the output folder \(output) holds the runs of another run store (id \(found)), "
                    + "not of \(store.path) (id \(id)): give each job its own output folder, or use the store that made it")
            }
        } else {
            do { try OutputFile.write(Data((id + "\n").utf8), to: marker, replace: false, force: nil) } catch {
                throw BatchError(.output, error.description)
            }
        }
        if try store.outputFolder() == nil { try store.bind(outputFolder: real) }
    }

    /// One scenario: match, record pending, stage, place, mark done, diff.
    static func run(_ scenario: ScenarioInputs.Scenario, job: Job, inputs: ScenarioInputs, ties: [Tie], decisions: [RunStore.Decision],
                    store: RunStore, toolVersion: String, log: Logger, checkpoint: (BatchCheckpoint) -> Void) throws(BatchError) -> ScenarioReport {
        let startedAt = Date()
        let previous = try store.lastSuccessfulRun(scenario: scenario.name)
        let previousProposals = try previous.map { (run) throws(BatchError) in try store.proposals(run: run.id) } ?? []
        let loaded: LoadedInputs
        do { loaded = try inputs.shared.with(ties: ties, rules: scenario.rules).with(weights: scenario.weights, file: scenario.weightsFile) } catch {
            throw BatchError(.input, "scenario \(scenario.name): decisions contradict the inputs, nothing recorded:\n\(error)", underlying: error)
        }
        let h = loaded.hromadas.index(), p = loaded.partners.index()
        let incumbents = Set(previousProposals.compactMap { s in h[s.pair.hromada].flatMap { i in p[s.pair.partner].map { IndexPair(i, $0) } } })
        let instance = loaded.instance(incumbents: incumbents, incumbencyBonus: scenario.incumbencyBonus)
        let result: MatchResult
        do { result = try Matcher.match(instance) } catch { throw BatchError(.match, "scenario \(scenario.name): \(error.description)", underlying: error) }
        var recordedInputs = loaded.recorded
        recordedInputs["weights"] = scenario.weightsFile.map { InputRecord(path: $0, sha256: inputs.digests[$0] ?? "") }
        recordedInputs["rules"] = scenario.rules.file.map { InputRecord(path: $0, sha256: inputs.digests[$0] ?? "") }
        recordedInputs["decisions"] = InputRecord(path: job.store, sha256: Digest.sha256(Data(DecisionFile.csv(decisions).utf8)))
        let table = ProposalTable(result: result, instance: instance, inputs: recordedInputs, attribution: loaded.attribution)
        let outlines: MapOutlines?
        do { outlines = try MapOutlines.beside(loaded.paths.hromadas) } catch { throw BatchError(.input, "\(error)") }

        let stored = result.proposals.map {
            RunStore.StoredProposal(pair: IDPair(loaded.hromadas.ids[$0.hromada], loaded.partners.ids[$0.partner]),
                                    score: JSONOutput.rounded($0.breakdown.score, 6))
        }
        let hromadas = Set(instance.seeking.map { loaded.hromadas.ids[$0] })
        let partners = Set((0..<loaded.partners.count).filter { instance.isCandidate[$0] }.map { loaded.partners.ids[$0] })
        let id = try nextRunID(store: store, output: job.output)
        let name = "run-\(id)-\(scenario.name)", folder = job.output + "/" + name
        let files: [String: Data]
        do {
            files = try table.files(OutputOptions(report: ReportOptions(outlines: outlines, date: iso(startedAt),
                                                                        title: "Batch run \(id), scenario \(scenario.name)", run: id)))
        } catch { throw BatchError(.output, "\(error)") }
        let run = RunStore.Run(id: id, scenario: scenario.name, startedAt: iso(startedAt), finishedAt: "", status: .pending,
                               toolVersion: toolVersion, inputs: recordedInputs.mapValues { .file(path: $0.path, sha256: $0.sha256) },
                               weights: loaded.weights.yaml, rules: encode(loaded.rules.recorded),
                               counts: .init(proposals: result.proposals.count, unmatched: result.unmatched.count, seeking: result.seeking),
                               timings: .init(), folder: name, outputFolder: realPath(job.output))
        try store.begin(run: run, proposals: stored, hromadas: hromadas.sorted(), partners: partners.sorted(), decisions: decisions)
        checkpoint(.pending(scenario: scenario.name))
        do {
            try OutputFolder.write(files, to: folder, staging: staging(folder), staged: { checkpoint(.staged(scenario: scenario.name)) })
        } catch {
            try store.delete(run: id)
            throw BatchError(.output, "scenario \(scenario.name): \(error.description); the run is not recorded", underlying: error)
        }
        checkpoint(.placed(scenario: scenario.name))
        let finished = Date()
        let r = { JSONOutput.rounded($0, 3) }
        try store.finish(run: id, finishedAt: iso(finished),
                         timings: .init(load: r(loaded.seconds), score: r(result.timings.scoring), solve: r(result.timings.solving),
                                        total: r(finished.timeIntervalSince(startedAt))))
        checkpoint(.recorded(scenario: scenario.name))
        linkLatest(scenario: scenario.name, to: name, in: job.output, log: log)
        for warning in result.warnings { log.warning("run \(id) \(scenario.name): \(warning)") }
        let changes = try previous.map { (prev) throws(BatchError) in
            Diff.changes(previous: previousProposals, current: stored, decisions: decisions,
                         previousHromadas: try store.participants(run: prev.id, side: "hromada"),
                         previousPartners: try store.participants(run: prev.id, side: "partner"),
                         currentHromadas: hromadas, currentPartners: partners)
        } ?? stored.map { Change(kind: .new, pair: $0.pair, reason: "first run of this scenario") }
        return ScenarioReport(runID: id, scenario: scenario.name, output: folder, proposals: stored.count,
                              changes: changes, previousRun: previous?.id,
                              labels: PairLabels(hromadas: inputs.shared.hromadas, partners: inputs.shared.partners))
    }

    /// The staging folder of a run folder: hidden, named after it, so the store knows it.
    static func staging(_ folder: String) -> String {
        let url = URL(fileURLWithPath: folder)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
    }

    /// Finishes or rolls back the runs a killed batch left pending, and finishes removing
    /// the runs a killed prune left (see the type's documentation). Only folders the
    /// store names are touched.
    static func recover(store: RunStore, output: String, log: Logger) throws(BatchError) {
        for run in try store.unfinishedRuns() {
            let folder = output + "/" + run.folder
            if run.status == .pruning {
                try remove(run, output: output, store: store)
                log.notice("finished pruning run \(run.id) (\(run.folder)), which an earlier prune left half done")
                continue
            }
            var status = stat()
            if lstat(folder, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
                try store.finish(run: run.id, finishedAt: run.startedAt, timings: .init(recovered: true))
                linkLatest(scenario: run.scenario, to: run.folder, in: output, log: log)
                log.notice("recovered run \(run.id) (\(run.folder)): its folder was complete, so it is recorded as done")
            } else {
                OutputFolder.removeStaging(staging(folder))
                try store.delete(run: run.id)
                log.notice("rolled back run \(run.id) (\(run.folder)), which a killed batch left unfinished")
            }
        }
    }

    /// Points `OUTPUT/latest-SCENARIO` at a run folder: a relative symbolic link, made
    /// beside it and renamed over the old one, so it is never missing or half made. A link
    /// that cannot be made is a warning: the runs are recorded all the same.
    static func linkLatest(scenario: String, to folder: String, in output: String, log: Logger) {
        do { try OutputFolder.pointLink(output + "/latest-" + scenario, at: folder) } catch {
            log.warning("\(error.description); the run is in \(output)/\(folder)")
        }
    }

    /// Removes the runs of each scenario but its `keep` latest, folders and records: the
    /// runs are marked `pruning` first (one transaction), then each folder is renamed
    /// aside, emptied of the files the batch wrote and removed, then its record deleted;
    /// a killed prune is finished by the next batch command. A folder holding other files
    /// (someone's notes) is left alone with its run, and said so.
    /// With `dryRun` nothing is marked or removed: the runs that would go are returned.
    public static func prune(job: Job, keep: Int, dryRun: Bool = false,
                             log: Logger = Logger(label: "twinning.batch")) throws(BatchError) -> [RunStore.Run] {
        let (store, lock) = try openStore(job, log: log)
        defer { lock.release() }
        let runs = try store.runs().filter { $0.status == .ok }
        var doomed: [RunStore.Run] = []
        for (_, list) in Dictionary(grouping: runs, by: \.scenario) {
            doomed += list.sorted { $0.id > $1.id }.dropFirst(max(keep, 1))
        }
        doomed.sort { $0.id < $1.id }
        doomed = doomed.filter { run in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: job.output + "/" + run.folder)) ?? []
            let others = names.filter { !isOurs($0) }
            if !others.isEmpty {
                log.warning("run \(run.id) kept: \(run.folder) holds files twinning did not write (\(others.sorted().joined(separator: ", ")))")
            }
            return others.isEmpty
        }
        if dryRun { return doomed }
        try store.markPruning(doomed.map(\.id))
        for run in doomed { try remove(run, output: job.output, store: store) }
        return doomed
    }

    /// Whether a file in a run folder is one twinning writes: an output file, or what a
    /// stopped writer of one left (`.report.html.partial-XXXXXX`, as ``OutputFile`` names
    /// its temporary files), which pruning removes with the rest.
    static func isOurs(_ name: String) -> Bool {
        if ProposalFile(rawValue: name) != nil { return true }
        return ProposalFile.allCases.contains { file in
            name.hasPrefix(".\(file.rawValue).partial-") && name.utf8.count == file.rawValue.utf8.count + ".partial-XXXXXX".utf8.count + 1
        }
    }

    /// Removes a run marked for pruning: its folder (renamed aside first, then the files
    /// the batch wrote, then the folder), then its record.
    static func remove(_ run: RunStore.Run, output: String, store: RunStore) throws(BatchError) {
        do { try OutputFolder.remove(output + "/" + run.folder, aside: output + "/." + run.folder + ".pruning", files: isOurs) } catch {
            throw BatchError(.output, error.description, underlying: error)
        }
        try store.delete(run: run.id)
    }

    /// A run id no earlier run used, in the store or in the output folder's names (a new
    /// store on an old output folder, or another store's runs, never collide).
    /// Folder names numbered beyond ``runIDLimit`` are someone else's (no job makes that
    /// many runs): they are not taken as runs, so one such name cannot exhaust the ids.
    static func nextRunID(store: RunStore, output: String) throws(BatchError) -> Int64 {
        var highest = try store.lastRunID()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? [] {
            let trimmed = name.hasPrefix(".") ? String(name.dropFirst()) : name
            guard trimmed.hasPrefix("run-"), let n = Int64(trimmed.dropFirst(4).prefix { $0.isNumber }), n < runIDLimit else { continue }
            highest = max(highest, n)
        }
        guard highest < runIDLimit else {
            throw BatchError(.store, "the store's last run id is \(highest), past the \(runIDLimit) runs a store can number: start a new store")
        }
        return highest + 1
    }

    /// The largest run id: 2⁴⁰ (a run a second for 34,000 years).
    static let runIDLimit: Int64 = 1 << 40

    /// The ties file with coordinators' decisions applied: accepted pairs are kept in every
    /// later run, rejected ones never proposed. Decisions naming ids no longer in the
    /// inputs are skipped; an existing partnership is never overridden.
    public static func applying(_ decisions: [RunStore.Decision], to ties: [Tie], hromadas: Registry, partners: Registry) -> [Tie] {
        let h = hromadas.index(), p = partners.index()
        var byPair: [IndexPair: Tie] = [:]
        for t in ties { byPair[t.pair] = t }
        for d in decisions {
            guard let i = h[d.hromada], let j = p[d.partner] else { continue }
            let pair = IndexPair(i, j)
            if byPair[pair]?.status == .existing { continue }
            let status: Tie.Status = d.kind == .accept ? .accepted : .rejected
            byPair[pair] = Tie(hromada: i, partner: j, status: status, source: Provenance(status.rawValue, .decision(decidedAt: d.decidedAt)))
        }
        return byPair.values.sorted { $0.pair < $1.pair }
    }

    /// A folder's real path (links resolved), as the store records it.
    static func realPath(_ folder: String) -> String {
        URL(fileURLWithPath: folder).resolvingSymlinksInPath().standardizedFileURL.path
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let data = (try? JSONOutput.encode(value, pretty: false)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

/// A job's inputs, all read and checked before anything is run: the shared registries
/// and ties, and each scenario's weights and rules. Every problem of every file is
/// reported together.
public struct ScenarioInputs: Sendable {
    public struct Scenario: Sendable {
        let name: String
        let weights: Weights
        let weightsFile: String?
        let rules: Rules
        let incumbencyBonus: Double
    }
    public let shared: LoadedInputs
    public let scenarios: [Scenario]

    /// Why a scenario's rules leave a pair out (`in scenario eu, the rules in … leave it
    /// out: not an EU member …`), or nil. Each scenario's rules are compiled once, here,
    /// for every pair asked about. Only the rules count: a hromada not seeking or a partner
    /// not a volunteer takes part for its accepted pairs anyway.
    public func rulesCheck() -> @Sendable (IndexPair) -> String? {
        let compiled = scenarios.compactMap { scenario in
            (try? shared.with(rules: scenario.rules)).map { (scenario, $0.instance()) }
        }
        let several = scenarios.count > 1
        return { pair in
            for (scenario, instance) in compiled {
                if let why = instance.exclusion(of: pair), Rules.keys.contains(why.rule) {
                    return (several ? "in scenario \(scenario.name), " : "") + "the rules in \(scenario.rules.file ?? "the job") leave it out: \(why.sentence)"
                        + (why.source?.location.map { " (line \($0.line))" } ?? "")
                }
            }
            return nil
        }
    }

    public static func load(_ job: Job) throws(BatchError) -> ScenarioInputs {
        var c = ProblemCollector()
        let shared = c.attempt { () throws(InputErrors) in try LoadedInputs.load(job.inputs) }
        var scenarios: [Scenario] = [], digests: [String: String] = [:]
        /// A scenario's file: read once, hashed and parsed.
        func read<T>(_ path: String, _ parse: (String) throws(InputErrors) -> T) -> T? {
            c.attempt { () throws(InputErrors) in
                let data = try InputFile.bytes(path: path)
                digests[path] = Digest.sha256(data)
                return try parse(InputFile.text(data, file: path))
            }
        }
        for s in job.scenarios {
            let w = s.weights.map { path in read(path) { (text) throws(InputErrors) in try Weights.parse(text, file: path) } } ?? .defaults
            let r = s.rules.map { path in read(path) { (text) throws(InputErrors) in try Rules.parse(text, file: path) } } ?? Rules()
            if let w, let r { scenarios.append(Scenario(name: s.name, weights: w, weightsFile: s.weights, rules: r, incumbencyBonus: s.incumbencyBonus)) }
        }
        do { try c.finish() } catch { throw BatchError(.input, "input problem, nothing run or recorded:\n\(error)") }
        return ScenarioInputs(shared: shared!, scenarios: scenarios, digests: digests)
    }

    /// SHA-256 of every scenario's weights and rules files, by path.
    let digests: [String: String]
}
