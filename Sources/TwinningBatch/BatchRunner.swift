import Foundation
import Twinning

/// Points of a batch run, in order, where a caller may look in (tests stop the process
/// there to check that a killed run leaves the store and the folders consistent).
public enum BatchCheckpoint: Sendable, Equatable {
    /// Inputs read, store opened, lock taken, a killed run's leftovers settled.
    case ready
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
    }

    public static func run(jobPath: String, toolVersion: String,
                           checkpoint: (BatchCheckpoint) -> Void = { _ in }) throws(BatchError) -> [ScenarioReport] {
        let job: Job
        do { job = try Job.load(path: jobPath) } catch { throw BatchError(.input, "job file problem, nothing run or recorded:\n\(error)") }
        let inputs = try ScenarioInputs.load(job)
        let store = try RunStore(path: job.store)
        do { try FileManager.default.createDirectory(atPath: job.output, withIntermediateDirectories: true) } catch {
            throw BatchError(.output, "cannot create the output folder \(job.output): \(error.localizedDescription)")
        }
        let lock = try Lock(path: job.output + "/.twinning-batch.lock")
        defer { lock.release() }
        try recover(store: store, output: job.output)
        let decisions = try store.decisions()
        let ties = applying(decisions, to: inputs.shared.ties, hromadas: inputs.shared.hromadas, partners: inputs.shared.partners)
        checkpoint(.ready)
        var reports: [ScenarioReport] = []
        for scenario in inputs.scenarios {
            reports.append(try run(scenario, job: job, inputs: inputs, ties: ties, decisions: decisions, store: store,
                                   toolVersion: toolVersion, checkpoint: checkpoint))
        }
        return reports
    }

    /// One scenario: match, record pending, stage, place, mark done, diff.
    static func run(_ scenario: ScenarioInputs.Scenario, job: Job, inputs: ScenarioInputs, ties: [Tie], decisions: [RunStore.Decision],
                    store: RunStore, toolVersion: String, checkpoint: (BatchCheckpoint) -> Void) throws(BatchError) -> ScenarioReport {
        let startedAt = Date()
        let previous = try store.lastSuccessfulRun(scenario: scenario.name)
        let previousProposals = try previous.map { (run) throws(BatchError) in try store.proposals(run: run.id) } ?? []
        let loaded: LoadedInputs
        do { loaded = try inputs.shared.with(ties: ties, rules: scenario.rules).with(weights: scenario.weights, file: scenario.weightsFile) } catch {
            throw BatchError(.input, "scenario \(scenario.name): decisions contradict the inputs, nothing recorded:\n\(error)")
        }
        let h = loaded.hromadas.index(), p = loaded.partners.index()
        let incumbents = Set(previousProposals.compactMap { s in h[s.pair.hromada].flatMap { i in p[s.pair.partner].map { IndexPair(i, $0) } } })
        let instance = loaded.instance(incumbents: incumbents, incumbencyBonus: scenario.incumbencyBonus)
        let result: MatchResult
        do { result = try Matcher.match(instance) } catch { throw BatchError(.match, "scenario \(scenario.name): \(error.description)") }
        var recordedInputs = loaded.paths.recorded
        recordedInputs["decisions"] = job.store
        let table = ProposalTable(result: result, instance: instance, inputs: recordedInputs)
        let files: [String: Data]
        do { files = try table.files() } catch { throw BatchError(.output, error.description) }

        let stored = result.proposals.map {
            RunStore.StoredProposal(pair: IDPair(loaded.hromadas.ids[$0.hromada], loaded.partners.ids[$0.partner]),
                                    score: JSONOutput.rounded($0.breakdown.score, 6))
        }
        let hromadas = Set(instance.seeking.map { loaded.hromadas.ids[$0] })
        let partners = Set((0..<loaded.partners.count).filter { instance.isCandidate[$0] }.map { loaded.partners.ids[$0] })
        let id = try nextRunID(store: store, output: job.output)
        let name = "run-\(id)-\(scenario.name)", folder = job.output + "/" + name
        let run = RunStore.Run(id: id, scenario: scenario.name, startedAt: iso(startedAt), finishedAt: "", status: "pending",
                               toolVersion: toolVersion, inputs: inputs.hashes(extra: ["decisions": "\(decisions.count)"]),
                               weights: loaded.weights.yaml, counts: counts(result), timings: "{}", output: folder)
        try store.begin(run: run, proposals: stored, hromadas: hromadas.sorted(), partners: partners.sorted())
        checkpoint(.pending(scenario: scenario.name))
        do {
            try OutputFolder.write(files, to: folder, staging: staging(folder), staged: { checkpoint(.staged(scenario: scenario.name)) })
        } catch {
            try store.delete(run: id)
            throw BatchError(.output, "scenario \(scenario.name): \(error.description); the run is not recorded")
        }
        checkpoint(.placed(scenario: scenario.name))
        let finished = Date()
        try store.finish(run: id, finishedAt: iso(finished),
                         timings: timings(load: loaded.seconds, result.timings, total: finished.timeIntervalSince(startedAt)))
        checkpoint(.recorded(scenario: scenario.name))
        let changes = try previous.map { (prev) throws(BatchError) in
            Diff.changes(previous: previousProposals, current: stored, decisions: decisions,
                         previousHromadas: try store.participants(run: prev.id, side: "hromada"),
                         previousPartners: try store.participants(run: prev.id, side: "partner"),
                         currentHromadas: hromadas, currentPartners: partners)
        } ?? stored.map { Change(kind: .new, pair: $0.pair, reason: "first run of this scenario") }
        return ScenarioReport(runID: id, scenario: scenario.name, output: folder, proposals: stored.count,
                              changes: changes, previousRun: previous?.id)
    }

    /// The staging folder of a run folder: hidden, named after it, so the store knows it.
    static func staging(_ folder: String) -> String {
        let url = URL(fileURLWithPath: folder)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
    }

    /// Finishes or rolls back the runs a killed batch left pending (see the type's
    /// documentation). Only folders the store names are touched.
    static func recover(store: RunStore, output: String) throws(BatchError) {
        for run in try store.pendingRuns() {
            var status = stat()
            if lstat(run.output, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
                try store.finish(run: run.id, finishedAt: run.startedAt, timings: "{\"recovered\":true}")
            } else {
                OutputFolder.removeStaging(staging(run.output))
                try store.delete(run: run.id)
            }
        }
    }

    /// A run id no earlier run used, in the store or in the output folder's names (a new
    /// store on an old output folder, or another store's runs, never collide).
    static func nextRunID(store: RunStore, output: String) throws(BatchError) -> Int64 {
        var highest = try store.lastRunID()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? [] {
            let trimmed = name.hasPrefix(".") ? String(name.dropFirst()) : name
            guard trimmed.hasPrefix("run-"), let n = Int64(trimmed.dropFirst(4).prefix { $0.isNumber }) else { continue }
            highest = max(highest, n)
        }
        return highest + 1
    }

    /// The ties file with coordinators' decisions applied: accepted pairs are kept in every
    /// later run, rejected ones never proposed. Decisions naming ids no longer in the
    /// inputs are skipped; an existing partnership is never overridden.
    static func applying(_ decisions: [RunStore.Decision], to ties: [Tie], hromadas: Registry, partners: Registry) -> [Tie] {
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

    static func counts(_ result: MatchResult) -> String {
        struct Counts: Encodable { let proposals: Int, unmatched: Int, seeking: Int }
        return encode(Counts(proposals: result.proposals.count, unmatched: result.unmatched.count, seeking: result.seeking))
    }

    static func timings(load: Double, _ t: MatchResult.Timings, total: Double) -> String {
        struct Timings: Encodable {
            let loadS: Double, scoreS: Double, solveS: Double, totalS: Double
            enum CodingKeys: String, CodingKey { case loadS = "load_s", scoreS = "score_s", solveS = "solve_s", totalS = "total_s" }
        }
        let r = { JSONOutput.rounded($0, 3) }
        return encode(Timings(loadS: r(load), scoreS: r(t.scoring), solveS: r(t.solving), totalS: r(total)))
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
struct ScenarioInputs {
    struct Scenario {
        let name: String
        let weights: Weights
        let weightsFile: String?
        let rules: Rules
        let incumbencyBonus: Double
    }
    let shared: LoadedInputs
    let scenarios: [Scenario]
    let files: [String: String]

    static func load(_ job: Job) throws(BatchError) -> ScenarioInputs {
        var c = ProblemCollector()
        let shared = c.attempt { () throws(InputErrors) in try LoadedInputs.load(job.inputs) }
        var scenarios: [Scenario] = []
        for s in job.scenarios {
            let w = s.weights.map { path in c.attempt { () throws(InputErrors) in try Weights.load(path: path) } } ?? .defaults
            let r = s.rules.map { path in c.attempt { () throws(InputErrors) in try Rules.load(path: path) } } ?? Rules()
            if let w, let r { scenarios.append(Scenario(name: s.name, weights: w, weightsFile: s.weights, rules: r, incumbencyBonus: s.incumbencyBonus)) }
        }
        do { try c.finish() } catch { throw BatchError(.input, "input problem, nothing run or recorded:\n\(error)") }
        return ScenarioInputs(shared: shared!, scenarios: scenarios, files: job.inputs.recorded)
    }

    /// Hashes of the input files, as recorded with each run.
    func hashes(extra: [String: String]) -> String {
        var values = extra
        for (role, path) in files { values[role] = Self.hash(path) }
        return BatchRunner.encode(values)
    }

    /// FNV-1a 64 of a file's bytes, as hex: enough to tell whether an input changed.
    static func hash(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "missing" }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "fnv1a64:" + String(h, radix: 16)
    }
}
