import Foundation
import TwinningShared

/// A known relation between a hromada and a partner: a partnership that exists, or a
/// coordinator's decision.
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
    /// Where the tie comes from.
    public let source: Provenance
    /// Whether both sides were matched to their ids by name (the `ua_match_method` and
    /// `eu_match_method` columns start with `name`), nil when the file does not say.
    /// Pairs matched by coordinates alone (city districts, exonyms) are the less certain.
    public let matchedByName: Bool?

    public init(hromada: Int, partner: Int, status: Status, source: Provenance, matchedByName: Bool? = nil) {
        self.hromada = hromada
        self.partner = partner
        self.status = status
        self.source = source
        self.matchedByName = matchedByName
    }

    public var pair: IndexPair { IndexPair(hromada, partner) }
}

public enum Ties {
    /// The columns of a ties file (others, such as names and sources, are ignored but for
    /// ``methodColumns``).
    public static let columns = ["ua_id", "eu_id", "status"]
    /// Optional: how each side was matched to its id (``Tie/matchedByName``).
    public static let methodColumns = ["ua_match_method", "eu_match_method"]

    /// Reads `ua_id,eu_id,status` rows. Ids must name rows of the two registries; a pair
    /// may appear once.
    public static func load(path: String, hromadas: Registry, partners: Registry) throws(InputErrors) -> [Tie] {
        try parse(InputFile.contents(path: path), file: path, hromadas: hromadas, partners: partners)
    }

    public static func parse(_ data: Data, file: String, hromadas: Registry, partners: Registry) throws(InputErrors) -> [Tie] {
        try parse(FileBytes(copying: data), file: file, hromadas: hromadas, partners: partners)
    }

    public static func parse(_ contents: FileBytes, file: String, hromadas: Registry, partners: Registry) throws(InputErrors) -> [Tie] {
        let table = try CSVTable.parse(contents, file: file)
        var errors: [InputError] = []
        let position = table.columns(required: columns, what: "ties", errors: &errors)
        if !errors.isEmpty { throw InputErrors(errors) }
        let cUA = position["ua_id"]!, cEU = position["eu_id"]!, cStatus = position["status"]!
        let methods = methodColumns.compactMap { table.header.firstIndex(of: $0) }
        let resolver = IDResolver(hromadas: hromadas, partners: partners)
        var ties: [Tie] = [], firstLine: [IndexPair: Int] = [:]
        // Ids of one side unknown on many lines: the ties are for other registries (a
        // programme's own partners file with the shipped ties). One line says so, not one per tie.
        var unknown: [Side: [(record: Int, field: Int, message: String)]] = [:]
        for r in 0..<table.count {
            func fail(_ code: InputError.Code, _ k: Int, _ message: String) {
                errors.append(table.error(code, record: r, field: k, message))
            }
            let line = table.lines[r]
            guard table.fieldCount(r) == table.header.count else {
                fail(.syntax, -1, "has \(table.fieldCount(r)) fields, expected \(table.header.count) as in the header")
                continue
            }
            let statusText = table.string(r, cStatus)
            let suggest = errors.count + unknown.values.reduce(0) { $0 + $1.count } < 10
            let h = resolver.hromada(table.string(r, cUA), suggest: suggest), p = resolver.partner(table.string(r, cEU), suggest: suggest)
            let status = Tie.Status(rawValue: statusText)
            if case let .failure(message) = h { unknown[.hromadas, default: []].append((r, cUA, message)) }
            if case let .failure(message) = p { unknown[.partners, default: []].append((r, cEU, message)) }
            if status == nil {
                fail(.invalidValue, cStatus, "status must be existing, accepted or rejected, found \"\(statusText.prefix(40))\"")
            }
            guard case let .success(i) = h, case let .success(j) = p, let status else { continue }
            let pair = IndexPair(i, j)
            if let first = firstLine[pair] {
                fail(.duplicate, -1, "pair \(hromadas.ids[i]), \(partners.ids[j]) is listed twice (first on line \(first))")
                continue
            }
            firstLine[pair] = line
            let byName = methods.count == 2 ? methods.allSatisfy { table.string(r, $0).hasPrefix("name") } : nil
            ties.append(Tie(hromada: i, partner: j, status: status, source: Provenance(status.rawValue, .file(path: file, line: line)),
                            matchedByName: byName))
        }
        for side in [Side.hromadas, .partners] {
            guard let lines = unknown[side] else { continue }
            if lines.count <= summaryThreshold {
                for u in lines { errors.append(table.error(.unknownID, record: u.record, field: u.field, u.message)) }
                continue
            }
            let registry = side == .hromadas ? hromadas : partners
            let first = lines[0]
            let id = table.string(first.record, first.field)
            errors.append(InputError(.unknownID, file: file,
                "\(lines.count) of its \(table.count) ties name \(side.noun)s that are not in \(registry.file) (the first on line "
                    + "\(table.lines[first.record]): \"\(id.prefix(40))\"): the ties are for another \(side.rawValue) file; "
                    + "give the ties of these \(side.rawValue) with --ties FILE, or none with --ties ''"))
        }
        if !errors.isEmpty { throw InputErrors(errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }) }
        return ties
    }

    /// Past this many ties naming ids a registry lacks, one summary line replaces them.
    static let summaryThreshold = 10
}
