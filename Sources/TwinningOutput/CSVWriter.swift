import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// The one CSV writer: RFC 4180 quoting, `\n` line ends, fixed number formats supplied by
/// the columns, and cells a spreadsheet would run as formulas neutralised.
public enum CSVWriter {
    /// A header and rows of cells as CSV text. With `excelBOM` the text starts with a
    /// UTF-8 byte-order mark, so that Excel opened by double-click reads it as UTF-8 rather
    /// than the system code page.
    public static func text(_ rows: [[String]], header: [String], excelBOM: Bool = false) -> String {
        var out = excelBOM ? "\u{FEFF}" : ""
        out += header.map(cell).joined(separator: ",") + "\n"
        for row in rows { out += row.map(cell).joined(separator: ",") + "\n" }
        return out
    }

    /// A CSV cell, quoted when needed; text a spreadsheet would run as a formula
    /// (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe.
    public static func cell(_ text: String) -> String {
        var t = text
        if let first = t.utf8.first, formulaStarts.contains(first), Double(t) == nil { t = "'" + t }
        if t.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
            return quoted(t)
        }
        return t
    }

    /// `text` in quotes with its quotes doubled, byte by byte (linear in its length).
    static func quoted(_ text: String) -> String {
        let quote = UInt8(ascii: "\"")
        let quotes = text.utf8.reduce(0) { $0 + ($1 == quote ? 1 : 0) }
        return String(unsafeUninitializedCapacity: text.utf8.count + quotes + 2) { out in
            var n = 0
            out[n] = quote; n += 1
            for b in text.utf8 {
                out[n] = b; n += 1
                if b == quote { out[n] = quote; n += 1 }
            }
            out[n] = quote; n += 1
            return n
        }
    }

    private static let formulaStarts: [UInt8] = Array("=+-@\t\r".utf8)

}
