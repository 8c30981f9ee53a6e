import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// One cell of an output table, typed so that the CSV and the JSON written from the same
/// columns carry the same fields, each in its own way: a number has a fixed count of
/// decimals in CSV and is a JSON number rounded to them; a structured value is text in
/// CSV and a list or object in JSON.
public enum Cell: Sendable, Equatable {
    case text(String)
    case number(Double, digits: Int)
    case integer(Int)
    /// Nothing to say: an empty CSV cell, JSON `null`.
    case missing
    case structured(text: String, json: RecordedValue)

    /// The CSV form (before quoting).
    public var csv: String {
        switch self {
        case let .text(s): return s
        case let .number(x, digits): return Decimals.fixed(x, digits)
        case let .integer(k): return String(k)
        case .missing: return ""
        case let .structured(text, _): return text
        }
    }

    /// The JSON form.
    public var json: RecordedValue {
        switch self {
        case let .text(s): return .text(s)
        case let .number(x, digits): return .number(JSONOutput.rounded(x, digits))
        case let .integer(k): return .integer(k)
        case .missing: return .null
        case let .structured(_, json): return json
        }
    }
}

/// A column of an output table: its header (also its JSON key) and how a row gives its
/// cell. A table is a list of these, so a header never drifts from its values and the
/// CSV and JSON of a table never disagree.
public struct Column<Row>: Sendable {
    public let header: String
    public let value: @Sendable (Row) -> Cell

    public init(_ header: String, _ value: @escaping @Sendable (Row) -> Cell) {
        self.header = header
        self.value = value
    }

    /// A text column.
    public static func text(_ header: String, _ value: @escaping @Sendable (Row) -> String) -> Column {
        Column(header) { .text(value($0)) }
    }

    /// A number column with `digits` decimals.
    public static func number(_ header: String, digits: Int, _ value: @escaping @Sendable (Row) -> Double) -> Column {
        Column(header) { .number(value($0), digits: digits) }
    }

    /// A whole-number column.
    public static func integer(_ header: String, _ value: @escaping @Sendable (Row) -> Int) -> Column {
        Column(header) { .integer(value($0)) }
    }
}

/// Rows and the columns that render them.
public struct Table<Row>: Sendable where Row: Sendable {
    public let columns: [Column<Row>]
    public let rows: [Row]

    public init(_ rows: [Row], columns: [Column<Row>]) {
        self.rows = rows
        self.columns = columns
    }

    /// The table as CSV (see ``CSVWriter``).
    public func csv(excelBOM: Bool = false) -> String {
        CSVWriter.text(rows.map { row in columns.map { $0.value(row).csv } }, header: columns.map(\.header), excelBOM: excelBOM)
    }

    /// The table as a sheet of a workbook (``XLSXWriter``).
    public func sheet(_ name: String) -> XLSXWriter.Sheet {
        XLSXWriter.Sheet(name: name, header: columns.map(\.header), rows: rows.map { row in columns.map { $0.value(row) } })
    }

    /// The table as JSON records: one object per row, keyed by the headers.
    public var records: TableRecords<Row> { TableRecords(table: self) }
}

/// A table's rows as JSON objects keyed by the column headers, encoded straight from the
/// cells: no dictionary is built per row (for `proposals.json` that was 5,000 of them,
/// a third of its writing time).
public struct TableRecords<Row: Sendable>: Encodable, Sendable {
    public let table: Table<Row>

    /// The columns in key order, as they are written.
    var columnsByKey: [Column<Row>] { table.columns.sorted { $0.header < $1.header } }

    public func encode(to encoder: Encoder) throws {
        var list = encoder.unkeyedContainer()
        let columns = columnsByKey
        let keys = columns.map { NamedKey($0.header) }
        for row in table.rows {
            var object = list.nestedContainer(keyedBy: NamedKey.self)
            for (column, key) in zip(columns, keys) { try object.encode(column.value(row).json, forKey: key) }
        }
    }
}

extension TableRecords: JSONWriter.JSONTree {
    /// The same objects as `encode(to:)`, built directly (keys already in order).
    func jsonNode(at path: [CodingKey]) throws -> JSONWriter.Node {
        let columns = columnsByKey
        return .array(JSONWriter.ArrayBox(try table.rows.map { row in
            .object(JSONWriter.ObjectBox(try columns.map { ($0.header, try .of(recorded: $0.value(row).json, at: path)) }))
        }))
    }
}

/// A JSON key named at run time.
struct NamedKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
