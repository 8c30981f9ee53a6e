import Foundation
import Twinning

/// A CSV of coordinators' decisions, `ua_id,eu_id,decision[,note]`, read with the tool's
/// one CSV reader (quoted notes with commas and line breaks, blank lines, a BOM).
public enum DecisionFile {
    public static let columns = ["ua_id", "eu_id", "decision"]

    /// The decisions with the line each was read from (for messages about their ids).
    public static func load(path: String, decidedAt: String) throws(InputErrors) -> [(decision: RunStore.Decision, line: Int)] {
        try parseWithLines(InputFile.bytes(path: path), file: path, decidedAt: decidedAt)
    }

    public static func parse(_ data: Data, file: String, decidedAt: String) throws(InputErrors) -> [RunStore.Decision] {
        try parseWithLines(data, file: file, decidedAt: decidedAt).map(\.decision)
    }

    public static func parseWithLines(_ data: Data, file: String, decidedAt: String) throws(InputErrors) -> [(decision: RunStore.Decision, line: Int)] {
        let table = try CSVTable.parse(data, file: file)
        var errors: [InputError] = []
        var position: [String: Int] = [:]
        for (k, column) in table.header.enumerated() where position[column] == nil { position[column] = k }
        for column in columns where position[column] == nil {
            errors.append(InputError(.missing, file: file, line: 1,
                                     "missing column \"\(column)\"; a decisions file needs ua_id, eu_id, decision (and optionally note)"))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        let a = position["ua_id"]!, b = position["eu_id"]!, c = position["decision"]!, note = position["note"]
        var decisions: [(decision: RunStore.Decision, line: Int)] = []
        for r in 0..<table.count {
            guard table.fieldCount(r) == table.header.count else {
                errors.append(InputError(.syntax, file: file, line: table.lines[r],
                                         "has \(table.fieldCount(r)) fields, expected \(table.header.count) as in the header"))
                continue
            }
            let text = table.string(r, c)
            guard let kind = RunStore.Decision.Kind(rawValue: text) else {
                errors.append(InputError(.invalidValue, file: file, line: table.lines[r], column: c + 1,
                                         "decision must be accept, reject or revoke, found \"\(text.prefix(40))\""))
                continue
            }
            decisions.append((.init(hromada: table.string(r, a), partner: table.string(r, b), kind: kind,
                                    note: note.map { table.string(r, $0) } ?? "", decidedAt: decidedAt), table.lines[r]))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return decisions
    }

    /// The proposals a file exported from a report was decided on (its
    /// `proposals_sha256` column, the SHA-256 of their `proposals.json`), or nil when it
    /// does not say.
    public static func proposalsDigest(path: String) throws(InputErrors) -> String? {
        let table = try CSVTable.parse(InputFile.bytes(path: path), file: path)
        guard let k = table.header.firstIndex(of: "proposals_sha256") else { return nil }
        return (0..<table.count).lazy.map { table.string($0, k) }.first { !$0.isEmpty }
    }

    /// The columns decisions are written with (`decide list --out`, and the text a run's
    /// decisions digest is taken from).
    public static let writtenColumns: [Column<RunStore.Decision>] = [
        .text("ua_id") { $0.hromada }, .text("eu_id") { $0.partner }, .text("decision") { $0.kind.rawValue },
        .text("note") { $0.note }, .text("decided_at") { $0.decidedAt },
    ]

    /// Decisions as CSV, in the order given.
    public static func csv(_ decisions: [RunStore.Decision]) -> String {
        Table(decisions, columns: writtenColumns).csv()
    }
}
