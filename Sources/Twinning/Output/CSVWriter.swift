import Foundation

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

    /// `x` with `digits` decimals (0–9), rounded as C's `printf("%.*f")` rounds under the
    /// default rounding mode: the exact binary value, halves to even. So the text is the
    /// same on every platform. Done in integers — `x` is `m · 2^e` exactly, so `x · 10^d`
    /// is `m · 10^d / 2^-e`, rounded — because C's formatter is variadic, and Swift's
    /// variadic bridge costs a microsecond a call, which shows at tens of thousands of cells.
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite, (0...9).contains(digits), x.magnitude < 1e15 else { return String(format: "%.\(digits)f", x) }
        // |x| < 2^50, so x = significand · 2^exponent with exponent < 0 (or x is zero).
        let significand = UInt128(x.significandBitPattern | (x.isNormal ? 1 << 52 : 0))
        let shift = x.isNormal ? 52 - Int(x.exponent) : 1074
        let product = significand * UInt128(powersOfTen[digits])   // < 2^53 · 10^9 < 2^83
        var q: UInt128 = 0
        if shift < 120 {
            q = product >> shift
            let remainder = product & ((1 << shift) - 1), half = UInt128(1) << (shift - 1)
            if remainder > half || (remainder == half && q & 1 == 1) { q += 1 }
        }   // else product < 2^83 < half an ulp of the last digit: rounds to zero
        var text = String(q)
        if digits > 0 {
            if text.utf8.count <= digits { text = String(repeating: "0", count: digits + 1 - text.utf8.count) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        }
        return x.sign == .minus ? "-" + text : text
    }

    private static let powersOfTen: [UInt64] = (0...9).map { (0..<$0).reduce(1) { r, _ in r * 10 } }
}
