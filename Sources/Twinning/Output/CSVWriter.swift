import Foundation

/// A column of a CSV file: its header and how a row gives its cell. A file is a list of
/// these, so a header can never drift from its values.
public struct CSVColumn<Row>: Sendable {
    public let header: String
    public let value: @Sendable (Row) -> String

    public init(_ header: String, _ value: @escaping @Sendable (Row) -> String) {
        self.header = header
        self.value = value
    }
}

/// The one CSV writer: RFC 4180 quoting, `\n` line ends, fixed number formats supplied by
/// the columns, and cells a spreadsheet would run as formulas neutralised.
public enum CSVWriter {
    /// With `excelBOM` the text starts with a UTF-8 byte-order mark, so that Excel opened
    /// by double-click reads it as UTF-8 rather than the system code page.
    public static func text<Row>(_ rows: [Row], columns: [CSVColumn<Row>], excelBOM: Bool = false) -> String {
        var out = excelBOM ? "\u{FEFF}" : ""
        out += columns.map { cell($0.header) }.joined(separator: ",") + "\n"
        for row in rows { out += columns.map { cell($0.value(row)) }.joined(separator: ",") + "\n" }
        return out
    }

    /// A CSV cell, quoted when needed; text a spreadsheet would run as a formula
    /// (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe.
    public static func cell(_ text: String) -> String {
        var t = text
        if let first = t.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(t) == nil { t = "'" + t }
        if t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return t
    }

    /// A number with a fixed count of decimals, rounded as C's `printf("%.*f")` rounds
    /// (the same on every platform), through `vsnprintf` into a small buffer: several
    /// times faster than `String(format:)`, which matters at tens of thousands of cells.
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let n = withVaList([Int32(digits), x]) { vsnprintf(buffer.baseAddress!, 64, "%.*f", $0) }
            guard n > 0, n < 64 else { return String(format: "%.\(digits)f", x) }
            return String(cString: buffer.baseAddress!)
        }
    }
}
