import Foundation

/// Numbers as text, the same on every platform: one place that rounds them for people and
/// files (CSV cells, messages, explanations).
public enum Decimals {
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

    /// A share in [0, 1] as a whole percentage, `0.3` → `30%` (or with one decimal where a
    /// whole one would misstate it, `0.125` → `12.5%`).
    public static func percent(_ share: Double) -> String {
        let whole = fixed(share * 100, 0), tenth = fixed(share * 100, 1)
        return (tenth.hasSuffix(".0") ? whole : tenth) + "%"
    }

    /// `x` rounded to a whole number, thousands separated by commas: `9,361`, `-1,200`.
    public static func grouped(_ x: Double) -> String {
        let digits = fixed(x.rounded(), 0)
        let sign = digits.hasPrefix("-") ? "-" : "", body = Array(digits.dropFirst(sign.count))
        var out = ""
        for (k, ch) in body.enumerated() {
            if k > 0 && (body.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return sign + out
    }

    private static let powersOfTen: [UInt64] = (0...9).map { (0..<$0).reduce(1) { r, _ in r * 10 } }
}

extension String {
    /// The text right-aligned in `width` characters (longer text is kept whole): table
    /// columns of numbers.
    public func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
