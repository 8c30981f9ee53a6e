import Foundation
import Twinning

/// A failure of a batch run, said in one sentence.
public struct BatchError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What changed between two runs of a scenario.
public struct Change: Sendable, Equatable {
    public enum Kind: String, Sendable { case new, dropped, kept }
    public let kind: Kind
    public let pair: IDPair
    public let reason: String
}

public enum Diff {
    /// New, dropped and kept proposals, with reasons where known.
    public static func changes(previous: [RunStore.StoredProposal], current: [RunStore.StoredProposal],
                               decisions: [RunStore.Decision], previousHromadas: Set<String>, previousPartners: Set<String>,
                               currentHromadas: Set<String>, currentPartners: Set<String>) -> [Change] {
        let before = Dictionary(uniqueKeysWithValues: previous.map { ($0.pair, $0.score) })
        let after = Dictionary(uniqueKeysWithValues: current.map { ($0.pair, $0.score) })
        let decided = Dictionary(decisions.map { (IDPair($0.hromada, $0.partner), $0.kind) }, uniquingKeysWith: { _, b in b })
        var out: [Change] = []
        for pair in Set(before.keys).union(after.keys).sorted() {
            switch (before[pair], after[pair]) {
            case let (old?, new?):
                out.append(Change(kind: .kept, pair: pair, reason: abs(old - new) > 1e-9
                    ? String(format: "score changed %.4f → %.4f", old, new) : "unchanged"))
            case (nil, _?):
                let reason: String
                if decided[pair] == .accept { reason = "accepted by a coordinator" }
                else if !previousHromadas.contains(pair.hromada) { reason = "new sign-up: hromada \(pair.hromada)" }
                else if !previousPartners.contains(pair.partner) { reason = "new sign-up: partner \(pair.partner)" }
                else { reason = "the optimum moved (scores, decisions or other pairs changed)" }
                out.append(Change(kind: .new, pair: pair, reason: reason))
            case (_?, nil):
                let reason: String
                if decided[pair] == .reject { reason = "rejected by a coordinator" }
                else if !currentHromadas.contains(pair.hromada) { reason = "hromada \(pair.hromada) no longer takes part" }
                else if !currentPartners.contains(pair.partner) { reason = "partner \(pair.partner) no longer takes part" }
                else { reason = "the optimum moved (scores, decisions or other pairs changed)" }
                out.append(Change(kind: .dropped, pair: pair, reason: reason))
            default: break
            }
        }
        return out
    }
}

/// `twinning batch run`: lock, read, apply decisions, match every scenario, write each
/// run's outputs atomically, record it, report what changed.
public enum BatchRunner {
    public struct ScenarioReport: Sendable {
        public let runID: Int64
        public let scenario: String
        public let output: String
        public let proposals: Int
        public let changes: [Change]
        public let previousRun: Int64?
    }

    /// Set by tests: seconds to sleep after a run's outputs are written and before they
    /// are recorded (to kill the process mid-way).
    static let pauseVariable = "TWINNING_TEST_PAUSE_BEFORE_RECORD"

    public static func run(jobPath: String, toolVersion: String) throws -> [ScenarioReport] {
        let job: Job
        do { job = try Job.load(path: jobPath) } catch { throw BatchError(error.description) }
        try FileManager.default.createDirectory(atPath: job.output, withIntermediateDirectories: true)
        let lock = try Lock(path: job.output + "/.twinning-batch.lock")
        defer { lock.release() }
        // Leftovers of a run that was killed: partial folders never renamed into place.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: job.output)) ?? [] where name.contains(".partial-") {
            try? FileManager.default.removeItem(atPath: job.output + "/" + name)
        }

        // Read and check everything before touching the store or the output folder.
        let started = Date()
        let hromadas: Registry, partners: Registry, fileTies: [Tie]
        var scenarioInputs: [(Job.Scenario, Weights, Rules)] = []
        do {
            hromadas = try Registry.load(path: job.hromadas, side: .hromadas)
            partners = try Registry.load(path: job.partners, side: .partners)
            fileTies = try job.ties.map { try Ties.load(path: $0, hromadas: hromadas, partners: partners) } ?? []
            for s in job.scenarios {
                scenarioInputs.append((s, try s.weights.map { try Weights.load(path: $0) } ?? .defaults,
                                       try s.rules.map { try Rules.load(path: $0) } ?? Rules()))
            }
        } catch let e as InputErrors { throw BatchError("input problem, nothing run or recorded:\n\(e.description)") }
        let store = try RunStore(path: job.store)
        let decisions = try store.decisions()
        let ties = applying(decisions, to: fileTies, hromadas: hromadas, partners: partners)
        let loadSeconds = Date().timeIntervalSince(started)
        var inputs: [String: String] = ["hromadas": hash(job.hromadas), "partners": hash(job.partners)]
        if let t = job.ties { inputs["ties"] = hash(t) }
        inputs["decisions"] = "\(decisions.count)"

        var reports: [ScenarioReport] = []
        for (scenario, weights, rules) in scenarioInputs {
            let startedAt = Date()
            let previous = try store.lastSuccessfulRun(scenario: scenario.name)
            let previousProposals = try previous.map { try store.proposals(run: $0.id) } ?? []
            let incumbents = Set(previousProposals.map(\.pair))
            let result: MatchResult
            do {
                result = try Matcher.match(hromadas: hromadas, partners: partners, ties: ties, rules: rules, weights: weights,
                                           incumbents: incumbents, incumbencyBonus: scenario.incumbencyBonus)
            } catch { throw BatchError("scenario \(scenario.name): \(error.description)") }
            var fileInputs = ["hromadas": job.hromadas, "partners": job.partners]
            if let t = job.ties { fileInputs["ties"] = t }
            let files = ProposalFiles(result: result, hromadas: hromadas, partners: partners, weights: weights, rules: rules,
                                      inputs: fileInputs)
            let runID = try store.nextRunID()
            let folder = job.output + "/run-\(runID)-\(scenario.name)"
            let recorded = try store.run(runID) != nil
            if FileManager.default.fileExists(atPath: folder) && !recorded {
                try FileManager.default.removeItem(atPath: folder)   // written by a run killed before recording
            }
            try AtomicFolder.write(["proposals.csv": files.csv, "proposals.json": files.json], to: folder)
            if let pause = ProcessInfo.processInfo.environment[pauseVariable].flatMap(Double.init) {
                Thread.sleep(forTimeInterval: pause)
            }
            let stored = result.proposals.map {
                RunStore.StoredProposal(pair: IDPair(hromadas.ids[$0.hromada], partners.ids[$0.partner]),
                                        score: (($0.breakdown.score * 1e6).rounded()) / 1e6)
            }
            let participatingH = Set(result.proposals.map { hromadas.ids[$0.hromada] } + result.unmatched.map { hromadas.ids[$0.hromada] })
            let participatingP = Set((0..<partners.count).filter { partners.volunteers[$0] }.map { partners.ids[$0] })
            let finished = Date()
            let counts = "{\"proposals\":\(result.proposals.count),\"unmatched\":\(result.unmatched.count),\"seeking\":\(result.seeking)}"
            let timings = String(format: "{\"load_s\":%.3f,\"score_s\":%.3f,\"solve_s\":%.3f,\"total_s\":%.3f}", loadSeconds,
                                 result.scoringSeconds, result.solvingSeconds, finished.timeIntervalSince(startedAt))
            let inputsJSON = "{" + inputs.keys.sorted().map { "\"\($0)\":\"\(inputs[$0]!)\"" }.joined(separator: ",") + "}"
            let id = try store.record(
                run: RunStore.Run(id: 0, scenario: scenario.name, startedAt: iso(startedAt), finishedAt: iso(finished), status: "ok",
                                  toolVersion: toolVersion, inputs: inputsJSON, weights: weights.yaml, counts: counts,
                                  timings: timings, output: folder),
                proposals: stored, hromadas: participatingH.sorted(), partners: participatingP.sorted())
            let changes = try previous.map { prev in
                Diff.changes(previous: previousProposals, current: stored, decisions: decisions,
                             previousHromadas: try store.participants(run: prev.id, side: "hromada"),
                             previousPartners: try store.participants(run: prev.id, side: "partner"),
                             currentHromadas: participatingH, currentPartners: participatingP)
            } ?? stored.map { Change(kind: .new, pair: $0.pair, reason: "first run of this scenario") }
            reports.append(ScenarioReport(runID: id, scenario: scenario.name, output: folder, proposals: stored.count,
                                          changes: changes, previousRun: previous?.id))
        }
        return reports
    }

    /// The ties file with coordinators' decisions applied: accepted pairs are kept in every
    /// later run, rejected ones never proposed. Decisions naming ids no longer in the
    /// inputs are skipped.
    static func applying(_ decisions: [RunStore.Decision], to ties: [Tie], hromadas: Registry, partners: Registry) -> [Tie] {
        let h = hromadas.index(), p = partners.index()
        var byPair: [String: Tie] = [:]
        for t in ties { byPair["\(t.hromada)|\(t.partner)"] = t }
        for d in decisions {
            guard let i = h[d.hromada], let j = p[d.partner] else { continue }
            if byPair["\(i)|\(j)"]?.status == .existing { continue }
            byPair["\(i)|\(j)"] = Tie(hromada: i, partner: j, status: d.kind == .accept ? .accepted : .rejected, line: 0)
        }
        return byPair.values.sorted { ($0.hromada, $0.partner) < ($1.hromada, $1.partner) }
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: date)
    }

    /// FNV-1a 64 of a file's bytes, as hex: enough to tell whether an input changed.
    static func hash(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "missing" }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "fnv1a64:" + String(h, radix: 16)
    }
}

/// An exclusive lock on a file (flock), released when the process ends, however it ends.
final class Lock {
    let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw BatchError("cannot open the lock file \(path)") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buffer, 64, 0)
            let holder = n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw BatchError("another `twinning batch run` is running on this output folder (pid \(holder)); "
                + "wait for it to finish: \(path) is locked")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
