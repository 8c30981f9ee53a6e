import Foundation

/// Known relations between a hromada and a partner (SPEC §2): partnerships that exist,
/// and coordinators' decisions.
public struct Tie: Sendable, Hashable {
    public enum Status: String, Sendable, CaseIterable {
        /// A partnership that already exists (never proposed again).
        case existing
        /// Accepted by a coordinator: kept in every later matching.
        case accepted
        /// Rejected by a coordinator: never proposed.
        case rejected
    }
    public let hromada: Int
    public let partner: Int
    public let status: Status
    /// Line in the ties file (0 when the tie comes from elsewhere, e.g. a decision).
    public let line: Int

    public init(hromada: Int, partner: Int, status: Status, line: Int) {
        self.hromada = hromada
        self.partner = partner
        self.status = status
        self.line = line
    }
}

public enum Ties {
    /// Reads `ua_id,eu_id,status` rows (other columns ignored). Ids must name rows of the
    /// two registries; a pair may appear once.
    public static func load(path: String, hromadas: Registry, partners: Registry) throws(InputErrors) -> [Tie] {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "cannot read the file")])
        }
        return try parse(data, file: name, hromadas: hromadas, partners: partners)
    }

    public static func parse(_ data: Data, file: String, hromadas: Registry, partners: Registry) throws(InputErrors) -> [Tie] {
        let table = try CSVTable.parse(data, file: file)
        var errors: [InputError] = []
        func fail(_ line: Int, _ column: Int, _ message: String) {
            errors.append(InputError(file: file, line: line, column: column, message: message))
        }
        var position: [String: Int] = [:]
        for (k, column) in table.header.enumerated() {
            if position[column] != nil { fail(1, k + 1, "duplicate column \"\(column)\"") } else { position[column] = k }
        }
        for column in ["ua_id", "eu_id", "status"] where position[column] == nil {
            fail(1, 0, "missing column \"\(column)\"; a ties file needs ua_id, eu_id, status")
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        let cUA = position["ua_id"]!, cEU = position["eu_id"]!, cStatus = position["status"]!
        let hIndex = hromadas.index(), pIndex = partners.index()
        var ties: [Tie] = [], firstLine: [Pair: Int] = [:]
        struct Pair: Hashable { let h: Int, p: Int }
        for r in 0..<table.count {
            let line = table.lines[r]
            guard table.fieldCount(r) == table.header.count else {
                fail(line, 0, "has \(table.fieldCount(r)) fields, expected \(table.header.count) as in the header")
                continue
            }
            let ua = table.string(r, cUA), eu = table.string(r, cEU), statusText = table.string(r, cStatus)
            let h = hIndex[ua], p = pIndex[eu], status = Tie.Status(rawValue: statusText)
            if h == nil { fail(line, cUA + 1, "unknown hromada id \"\(ua.prefix(40))\" (not in \(hromadas.file))") }
            if p == nil { fail(line, cEU + 1, "unknown partner id \"\(eu.prefix(40))\" (not in \(partners.file))") }
            if status == nil {
                fail(line, cStatus + 1, "status must be existing, accepted or rejected, found \"\(statusText.prefix(40))\"")
            }
            guard let h, let p, let status else { continue }
            if let first = firstLine[Pair(h: h, p: p)] {
                fail(line, 0, "pair \(ua), \(eu) is listed twice (first on line \(first))")
                continue
            }
            firstLine[Pair(h: h, p: p)] = line
            ties.append(Tie(hromada: h, partner: p, status: status, line: line))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return ties
    }
}
