import Foundation
import GRDB
import Twinning

/// The run store: one SQLite file holding coordinators' decisions and every batch run
/// with its proposals. Schema changes are versioned migrations; every write is one
/// transaction, so the store is never half-updated.
public final class RunStore: @unchecked Sendable {
    let db: DatabaseQueue

    public struct Decision: Sendable, Equatable {
        /// `revoke` withdraws the pair's earlier decision: it is proposed or not on its merits again.
        public enum Kind: String, Sendable, CaseIterable { case accept, reject, revoke }
        public let hromada: String
        public let partner: String
        public let kind: Kind
        public let note: String
        public let decidedAt: String
        /// An accept made with `--override-rules`: the job's rules leave the pair out, and a
        /// coordinator accepted it all the same.
        public let overridesRules: Bool
        public init(hromada: String, partner: String, kind: Kind, note: String, decidedAt: String, overridesRules: Bool = false) {
            self.hromada = hromada; self.partner = partner; self.kind = kind; self.note = note; self.decidedAt = decidedAt
            self.overridesRules = overridesRules
        }
    }

    /// One batch run as the store keeps it: typed values, the JSON columns encoded and
    /// decoded through `Codable`.
    public struct Run: Sendable {
        public enum Status: String, Sendable, Codable, CaseIterable {
            /// Recorded, its folder being written: a restart finishes or rolls it back.
            case pending
            /// Done: its folder is in place.
            case ok
            /// Being removed by `batch prune`: a restart finishes removing it.
            case pruning
        }
        /// One input file as recorded: its path and SHA-256 (runs of schema v1 kept a short
        /// FNV-1a hash or a count instead, kept as it was).
        public enum Input: Sendable, Codable, Equatable {
            case file(path: String, sha256: String)
            case earlier(String)

            struct File: Codable { let path: String; let sha256: String }
            public init(from decoder: Decoder) throws {
                if let file = try? File(from: decoder) { self = .file(path: file.path, sha256: file.sha256); return }
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) { self = .earlier(text); return }
                self = .earlier(String(try container.decode(Int.self)))
            }
            public func encode(to encoder: Encoder) throws {
                switch self {
                case let .file(path, sha256): try File(path: path, sha256: sha256).encode(to: encoder)
                case let .earlier(text): var c = encoder.singleValueContainer(); try c.encode(text)
                }
            }
        }
        public struct Counts: Sendable, Codable, Equatable {
            public let proposals: Int, unmatched: Int, seeking: Int
            public init(proposals: Int, unmatched: Int, seeking: Int) { self.proposals = proposals; self.unmatched = unmatched; self.seeking = seeking }
        }
        /// Seconds per stage, rounded to milliseconds; `recovered` when a restart found the
        /// run's folder complete and marked it done (its times were lost with the process).
        public struct Timings: Sendable, Codable, Equatable {
            public var load: Double?, score: Double?, solve: Double?, total: Double?
            public var recovered: Bool?
            public init(load: Double? = nil, score: Double? = nil, solve: Double? = nil, total: Double? = nil, recovered: Bool? = nil) {
                self.load = load; self.score = score; self.solve = solve; self.total = total; self.recovered = recovered
            }
            enum CodingKeys: String, CodingKey { case load = "load_s", score = "score_s", solve = "solve_s", total = "total_s", recovered }
            /// `name seconds` pairs in stage order, for people.
            public var stages: [(name: String, seconds: Double)] {
                [("load", load), ("score", score), ("solve", solve), ("total", total)].compactMap { n, s in s.map { (n, $0) } }
            }
        }

        public let id: Int64
        public let scenario: String
        public let startedAt: String
        public let finishedAt: String
        public let status: Status
        public let toolVersion: String
        /// Role (`hromadas`, `rules`, …) → the file read.
        public let inputs: [String: Input]
        /// The weights, as a weights file (YAML).
        public let weights: String
        /// The rules, as `proposals.json` records them (JSON; `{}` for none, and for v1 runs).
        public let rules: String
        public let counts: Counts?
        public let timings: Timings
        /// The run's folder, relative to the job's output folder (`run-3-default`).
        public let folder: String
        /// The job's output folder the run was written in (real path; empty for runs made
        /// before schema v3 by a store not yet bound to a folder).
        public let outputFolder: String

        public init(id: Int64, scenario: String, startedAt: String, finishedAt: String, status: Status, toolVersion: String,
                    inputs: [String: Input], weights: String, rules: String, counts: Counts?, timings: Timings, folder: String,
                    outputFolder: String) {
            self.id = id; self.scenario = scenario; self.startedAt = startedAt; self.finishedAt = finishedAt; self.status = status
            self.toolVersion = toolVersion; self.inputs = inputs; self.weights = weights; self.rules = rules; self.counts = counts
            self.timings = timings; self.folder = folder; self.outputFolder = outputFolder
        }
    }

    public struct StoredProposal: Sendable, Hashable {
        public let pair: IDPair
        public let score: Double
        public init(pair: IDPair, score: Double) { self.pair = pair; self.score = score }
    }

    public let path: String

    /// Opens (or creates) the store and brings its schema up to date. A store that cannot
    /// be read, is not a store, or cannot be written is an error naming its path, before
    /// anything else happens.
    public init(path: String) throws(BatchError) {
        self.path = path
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A writer (a decision recorded while the nightly run writes) waits for the
            // other to finish instead of failing at once.
            var configuration = Configuration()
            configuration.busyMode = .timeout(Self.busyTimeout)
            db = try DatabaseQueue(path: path, configuration: configuration)
            let superseded = try db.read { try Self.migrator.hasBeenSuperseded($0) }
            if superseded {
                let versions = try db.read { try Self.migrator.appliedIdentifiers($0) }.sorted()
                throw BatchError(.store, "the run store \(path) was written by a newer version of twinning (schema "
                    + "\(versions.joined(separator: ", "))); this one knows \(Self.migrator.migrations.joined(separator: ", ")): "
                    + "use the newer twinning, or another store")
            }
            try Self.migrator.migrate(db)
            try db.read { try Self.checkColumns($0, path: path) }
            // Writable? Take the write lock and let it go.
            try db.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE; ROLLBACK") }
        } catch let error as BatchError {
            throw error
        } catch {
            throw BatchError(.store, "the run store \(path) cannot be used: \(Self.describe(error))", underlying: error)
        }
    }

    /// How long a writer waits for another one to finish, in seconds.
    static let busyTimeout: TimeInterval = 30

    /// Every column the store's code reads, per table: a store whose tables lack one (made
    /// by hand, or damaged) is refused naming it, before anything reads a row.
    static let expectedColumns: [String: [String]] = [
        "decision": ["id", "ua_id", "eu_id", "kind", "note", "decided_at", "override_rules"],
        "run": ["id", "scenario", "started_at", "finished_at", "status", "tool_version", "inputs", "weights", "rules",
                "counts", "timings", "output", "output_folder"],
        "proposal": ["run_id", "ua_id", "eu_id", "score"],
        "participant": ["run_id", "side", "id"],
        "run_decision": ["run_id", "ua_id", "eu_id", "kind", "note", "decided_at"],
        "meta": ["key", "value"],
    ]

    static func checkColumns(_ db: Database, path: String) throws {
        for (table, columns) in expectedColumns.sorted(by: { $0.key < $1.key }) {
            let present = Set(try db.columns(in: table).map(\.name))
            let missing = columns.filter { !present.contains($0) }
            if !missing.isEmpty {
                throw BatchError(.store, "the run store \(path) cannot be used: its table \(table) has no column "
                    + missing.joined(separator: ", ") + " (made by another program, or damaged): use another store")
            }
        }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "it is not a valid SQLite database (corrupt, or another kind of file)"
            case .SQLITE_READONLY: return "it is read-only"
            case .SQLITE_CANTOPEN: return "it cannot be opened (missing folder or no permission)"
            case .SQLITE_BUSY: return "another process holds it"
            default: return e.message ?? "\(e)"
            }
        }
        return "\(error)"
    }

    /// Runs a store operation, turning its errors into a ``BatchError`` naming the store.
    func access<T>(_ body: () throws -> T) throws(BatchError) -> T {
        do { return try body() } catch let error as BatchError {
            throw BatchError(error.code, "the run store \(path): \(error.description)", underlying: error)
        } catch {
            throw BatchError(.store, "the run store \(path) failed: \(Self.describe(error))", underlying: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "decision") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("ua_id", .text).notNull()
                t.column("eu_id", .text).notNull()
                t.column("kind", .text).notNull().check { ["accept", "reject"].contains($0) }
                t.column("note", .text).notNull().defaults(to: "")
                t.column("decided_at", .text).notNull()
            }
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("scenario", .text).notNull()
                t.column("started_at", .text).notNull()
                t.column("finished_at", .text).notNull()
                t.column("status", .text).notNull()
                t.column("tool_version", .text).notNull()
                t.column("inputs", .text).notNull()
                t.column("weights", .text).notNull()
                t.column("counts", .text).notNull()
                t.column("timings", .text).notNull()
                t.column("output", .text).notNull()
            }
            try db.create(table: "proposal") { t in
                t.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                t.column("ua_id", .text).notNull()
                t.column("eu_id", .text).notNull()
                t.column("score", .double).notNull()
                t.primaryKey(["run_id", "ua_id", "eu_id"])
            }
            // Who took part in a run, to tell new sign-ups from other changes.
            try db.create(table: "participant") { t in
                t.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                t.column("side", .text).notNull()
                t.column("id", .text).notNull()
                t.primaryKey(["run_id", "side", "id"])
            }
        }
        // v2: decisions may be revoked; runs record their rules and the decisions they
        // applied; a run's folder is kept relative to the job's output folder.
        migrator.registerMigration("v2") { db in
            try db.create(table: "decision_v2") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("ua_id", .text).notNull()
                t.column("eu_id", .text).notNull()
                t.column("kind", .text).notNull().check { ["accept", "reject", "revoke"].contains($0) }
                t.column("note", .text).notNull().defaults(to: "")
                t.column("decided_at", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO decision_v2 SELECT id, ua_id, eu_id, kind, note, decided_at FROM decision")
            try db.drop(table: "decision")
            try db.rename(table: "decision_v2", to: "decision")
            try db.alter(table: "run") { t in t.add(column: "rules", .text).notNull().defaults(to: "{}") }
            for row in try Row.fetchAll(db, sql: "SELECT id, output FROM run") {
                let output: String = row["output"]
                try db.execute(sql: "UPDATE run SET output = ? WHERE id = ?",
                               arguments: [(output as NSString).lastPathComponent, row["id"] as Int64])
            }
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO meta VALUES ('store_id', ?)", arguments: [UUID().uuidString.lowercased()])
            try db.create(table: "run_decision") { t in
                t.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                t.column("ua_id", .text).notNull()
                t.column("eu_id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("note", .text).notNull()
                t.column("decided_at", .text).notNull()
                t.primaryKey(["run_id", "ua_id", "eu_id"])
            }
        }
        // v3: each run records the output folder it was written in (a store serves one);
        // decisions record whether they override the job's rules.
        migrator.registerMigration("v3") { db in
            try db.alter(table: "run") { t in t.add(column: "output_folder", .text).notNull().defaults(to: "") }
            // Accepts that override the job's rules say so.
            try db.alter(table: "decision") { t in t.add(column: "override_rules", .boolean).notNull().defaults(to: false) }
            if let folder = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'output'") {
                try db.execute(sql: "UPDATE run SET output_folder = ?", arguments: [folder])
            }
        }
        return migrator
    }

    /// A random id the store is given when made (or upgraded), which its output folder
    /// keeps too, so that runs of different stores never mix in one folder.
    public func storeID() throws(BatchError) -> String {
        try access { try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'") ?? "" } }
    }

    /// The output folder the store's runs are written to (its real path), once a batch has
    /// run: a store serves one output folder, so its runs can always be placed.
    public func outputFolder() throws(BatchError) -> String? {
        try access { try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'output'") } }
    }

    /// Records the output folder the store serves (see ``outputFolder()``).
    public func bind(outputFolder: String) throws(BatchError) {
        try access {
            try db.write { db in
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('output', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [outputFolder])
                // Runs of an older store, made before folders were recorded, were written there.
                try db.execute(sql: "UPDATE run SET output_folder = ? WHERE output_folder = ''", arguments: [outputFolder])
            }
        }
    }

    /// The schema versions applied, oldest first (`v1`, `v2`, …).
    public func schemaVersions() throws(BatchError) -> [String] {
        try access { try db.read { db in try Self.migrator.appliedMigrations(db) } }
    }

    /// Records decisions; the latest decision on a pair is the one in force.
    public func record(_ decisions: [Decision]) throws(BatchError) {
        try access {
            try db.write { db in
                for d in decisions {
                    try db.execute(sql: "INSERT INTO decision (ua_id, eu_id, kind, note, decided_at, override_rules) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [d.hromada, d.partner, d.kind.rawValue, d.note, d.decidedAt, d.overridesRules])
                }
            }
        }
    }

    /// Decisions in force: the latest per pair, unless it revoked the one before.
    public func decisions() throws(BatchError) -> [Decision] {
        try allDecisions(latestOnly: true).filter { $0.kind != .revoke }
    }

    /// Every decision recorded, in order (or only the latest per pair).
    public func allDecisions(latestOnly: Bool = false) throws(BatchError) -> [Decision] {
        try access {
            try db.read { db in
                try Row.fetchAll(db, sql: latestOnly ? """
                    SELECT ua_id, eu_id, kind, note, decided_at, override_rules FROM decision d
                    WHERE id = (SELECT MAX(id) FROM decision WHERE ua_id = d.ua_id AND eu_id = d.eu_id)
                    ORDER BY ua_id, eu_id
                    """ : "SELECT ua_id, eu_id, kind, note, decided_at, override_rules FROM decision ORDER BY id").map(Self.decision)
            }
        }
    }

    /// The decisions a run applied.
    public func decisions(run id: Int64) throws(BatchError) -> [Decision] {
        try access {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT ua_id, eu_id, kind, note, decided_at FROM run_decision WHERE run_id = ? ORDER BY ua_id, eu_id",
                                 arguments: [id]).map(Self.decision)
            }
        }
    }

    static func decision(_ row: Row) -> Decision {
        Decision(hromada: row["ua_id"], partner: row["eu_id"], kind: Decision.Kind(rawValue: row["kind"]) ?? .reject,
                 note: row["note"], decidedAt: row["decided_at"], overridesRules: row.hasColumn("override_rules") && row["override_rules"] == true)
    }

    /// Records a run about to be written, with its proposals and participants, as
    /// `pending` under the given id, in one transaction. Until ``finish(run:finishedAt:timings:)``
    /// marks it done, a restart that finds it finishes or rolls it back (see
    /// ``BatchRunner``).
    public func begin(run: Run, proposals: [StoredProposal], hromadas: [String] = [], partners: [String] = [],
                      decisions: [Decision] = []) throws(BatchError) {
        try access {
            try db.write { db in
                try db.execute(sql: """
                    INSERT INTO run (id, scenario, started_at, finished_at, status, tool_version, inputs, weights, rules, counts, timings,
                                     output, output_folder)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run.id, run.scenario, run.startedAt, run.finishedAt, Run.Status.pending.rawValue, run.toolVersion,
                                     try Self.json(run.inputs), run.weights, run.rules, try Self.json(run.counts), try Self.json(run.timings),
                                     run.folder, run.outputFolder])
                for d in decisions {
                    try db.execute(sql: "INSERT INTO run_decision VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [run.id, d.hromada, d.partner, d.kind.rawValue, d.note, d.decidedAt])
                }
                for p in proposals {
                    try db.execute(sql: "INSERT INTO proposal (run_id, ua_id, eu_id, score) VALUES (?, ?, ?, ?)",
                                   arguments: [run.id, p.pair.hromada, p.pair.partner, p.score])
                }
                for (side, ids) in [("hromada", hromadas), ("partner", partners)] {
                    for x in ids { try db.execute(sql: "INSERT INTO participant VALUES (?, ?, ?)", arguments: [run.id, side, x]) }
                }
            }
        }
    }

    /// Marks a pending run done.
    public func finish(run id: Int64, finishedAt: String, timings: Run.Timings) throws(BatchError) {
        try access {
            try db.write { db in
                try db.execute(sql: "UPDATE run SET status = ?, finished_at = ?, timings = ? WHERE id = ? AND status = ?",
                               arguments: [Run.Status.ok.rawValue, finishedAt, try Self.json(timings), id, Run.Status.pending.rawValue])
            }
        }
    }

    /// A JSON column's text, from its value.
    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONOutput.encode(value, pretty: false), as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// A JSON column's value, from its text; `what` names it in the error.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw BatchError(.store, "\(what) holds \(text.prefix(60)), not what this version reads (\(error))")
        }
    }

    /// Forgets a run (its proposals and participants go with it).
    public func delete(run id: Int64) throws(BatchError) {
        try access {
            try db.write { db in
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                try db.execute(sql: "DELETE FROM proposal WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM participant WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM run_decision WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
            }
        }
    }

    /// The largest run id recorded (0 for none).
    public func lastRunID() throws(BatchError) -> Int64 {
        try access { try db.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM run") ?? 0 } }
    }

    /// Every run recorded, pending and pruning ones included.
    public func runs() throws(BatchError) -> [Run] {
        try access { try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id").map(Self.run) } }
    }

    public func run(_ id: Int64) throws(BatchError) -> Run? {
        try access { try db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(Self.run) } }
    }

    /// Runs a killed batch left pending, or a killed prune left half removed.
    public func unfinishedRuns() throws(BatchError) -> [Run] {
        try access {
            try db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM run WHERE status IN ('pending', 'pruning') ORDER BY id").map(Self.run) }
        }
    }

    /// Marks runs for removal, in one transaction: from then on they are gone for every
    /// reader, and a killed prune is finished by the next batch command.
    public func markPruning(_ ids: [Int64]) throws(BatchError) {
        try access {
            try db.write { db in
                for id in ids {
                    try db.execute(sql: "UPDATE run SET status = ? WHERE id = ? AND status = ?",
                                   arguments: [Run.Status.pruning.rawValue, id, Run.Status.ok.rawValue])
                }
            }
        }
    }

    /// The latest successful run of a scenario.
    public func lastSuccessfulRun(scenario: String) throws(BatchError) -> Run? {
        try access {
            try db.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM run WHERE scenario = ? AND status = ? ORDER BY id DESC LIMIT 1",
                                 arguments: [scenario, Run.Status.ok.rawValue]).map(Self.run)
            }
        }
    }

    public func proposals(run id: Int64) throws(BatchError) -> [StoredProposal] {
        try access {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT ua_id, eu_id, score FROM proposal WHERE run_id = ? ORDER BY ua_id, eu_id",
                                 arguments: [id]).map { StoredProposal(pair: IDPair($0["ua_id"], $0["eu_id"]), score: $0["score"]) }
            }
        }
    }

    /// Ids that took part in a run, per side ("hromada", "partner").
    public func participants(run id: Int64, side: String) throws(BatchError) -> Set<String> {
        try access {
            try db.read { db in
                Set(try String.fetchAll(db, sql: "SELECT id FROM participant WHERE run_id = ? AND side = ?", arguments: [id, side]))
            }
        }
    }

    /// SQLite's own consistency check ("ok" when sound).
    public func integrityCheck() throws(BatchError) -> String {
        try access { try db.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") } }
    }

    /// A run from its row, the JSON columns decoded; a value this version cannot read is
    /// an error naming the run, never a guess.
    static func run(_ row: Row) throws -> Run {
        let id: Int64 = row["id"]
        let text: String = row["status"]
        guard let status = Run.Status(rawValue: text) else {
            throw BatchError(.store, "run \(id) has status \"\(text.prefix(20))\", which this version does not know "
                + "(\(Run.Status.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let counts: String = row["counts"], timings: String = row["timings"]
        return Run(id: id, scenario: row["scenario"], startedAt: row["started_at"], finishedAt: row["finished_at"],
                   status: status, toolVersion: row["tool_version"],
                   inputs: try decode([String: Run.Input].self, row["inputs"], "run \(id)'s inputs"), weights: row["weights"],
                   rules: row["rules"], counts: counts == "{}" ? nil : try decode(Run.Counts.self, counts, "run \(id)'s counts"),
                   timings: try decode(Run.Timings.self, timings, "run \(id)'s timings"), folder: row["output"],
                   outputFolder: row["output_folder"])
    }
}
