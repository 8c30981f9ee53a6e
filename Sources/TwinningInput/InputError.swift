import Foundation
import TwinningShared

/// A problem in a user's file, located precisely: `file:line:column: message`, where the
/// file is the path as the user gave it and the message says what was expected.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is; cases may grow, so switch with a default.
    public enum Code: Sendable, Equatable {
        /// The file is missing, a directory, or cannot be read.
        case unreadable
        /// The bytes are not UTF-8 text.
        case encoding
        /// The file is not well-formed CSV, JSON or YAML.
        case syntax
        /// A required column or key is missing, or the file has no content.
        case missing
        /// A column or key the tool does not know (often a misspelling).
        case unknownKey
        /// A value of the wrong type or out of range.
        case invalidValue
        /// An id, column, key or pair given twice.
        case duplicate
        /// A reference to an id that is not in the hromadas or partners file.
        case unknownID
        /// Two entries that cannot both hold.
        case conflict
    }

    public let code: Code
    /// The path as the user gave it.
    public let file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public let line: Int
    /// 1-based column (the field's position in the row, or the character in YAML); 0 when
    /// the whole line is meant.
    public let column: Int
    public let message: String
    /// For JSON inputs: the 1-based record and the key, in place of line and column.
    public let record: Record?

    public struct Record: Sendable, Equatable {
        public let index: Int
        public let key: String?
    }

    public init(_ code: Code, file: String, line: Int = 0, column: Int = 0, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        record = nil
    }

    public init(_ code: Code, file: String, record: Int, key: String?, _ message: String) {
        self.code = code
        self.file = file
        line = 0
        column = 0
        self.message = message
        self.record = Record(index: record, key: key)
    }

    public var description: String {
        if let record {
            return "\(file): record \(record.index)" + (record.key.map { ", key \"\($0)\"" } ?? "") + ": \(message)"
        }
        return line == 0 ? "\(file): \(message)" : column == 0 ? "\(file):\(line): \(message)" : "\(file):\(line):\(column): \(message)"
    }
}

/// Every problem found in one pass over the inputs, in file order.
public struct InputErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [InputError]
    public init(_ errors: [InputError]) { self.errors = errors }
    public init(_ error: InputError) { errors = [error] }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A file's bytes in memory of their own, followed by a NUL byte (which is not counted),
/// so that a reader may parse numbers in place up to the file's last byte.
public final class FileBytes: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    public let count: Int

    /// Takes `base`, which holds `count` bytes and the NUL after them, allocated with `malloc`.
    init(taking base: UnsafeMutablePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    /// A copy of `data`.
    public convenience init(copying data: Data) {
        let base = malloc(data.count + 1)!.bindMemory(to: UInt8.self, capacity: data.count + 1)
        data.copyBytes(to: base, count: data.count)
        base[data.count] = 0
        self.init(taking: base, count: data.count)
    }

    deinit { free(base) }

    /// The bytes as `Data`, not copied (the `Data` keeps them alive).
    public var data: Data {
        Data(bytesNoCopy: base, count: count, deallocator: .custom { _, _ in withExtendedLifetime(self) {} })
    }

    public func withUnsafeBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try body(UnsafeBufferPointer(start: base, count: count))
    }
}

/// Reads the files users hand to the tool: one place that says what is wrong with a path.
public enum InputFile {
    /// The bytes of a regular file (a BOM is left in place for the format's reader).
    public static func bytes(path: String) throws(InputErrors) -> Data {
        try contents(path: path).data
    }

    /// The bytes of a regular file, read straight into memory of their own: one buffer
    /// the size the file has, filled by `read`, never copied again (CSV tables parse it
    /// in place).
    public static func contents(path: String) throws(InputErrors) -> FileBytes {
        func unreadable(_ reason: String) -> InputErrors {
            InputErrors(InputError(.unreadable, file: path, "cannot read the file: \(reason)"))
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw unreadable(errno == ENOENT ? "no such file" : String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw unreadable(String(cString: strerror(errno))) }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw InputErrors(InputError(.unreadable, file: path, "is a directory; expected a file"))
        }
        // Input files are read whole, and no reader takes 2 GiB or more (CSV field positions
        // are 32-bit): such a file is refused before it is read, and so is one that grows
        // past that while read.
        if Int(status.st_size) >= maximumSize { throw tooLarge(path) }
        // The size is a first guess (a pipe has none, a file may grow): read until the end.
        // Room for the NUL and one byte more, so that a file of the size given ends with
        // a read of nothing rather than a larger buffer.
        var capacity = max(Int(status.st_size), 0) + 2
        var base = malloc(capacity)!.bindMemory(to: UInt8.self, capacity: capacity)
        var count = 0
        while true {
            if count == capacity - 1 {
                capacity *= 2
                base = realloc(base, capacity)!.bindMemory(to: UInt8.self, capacity: capacity)
            }
            let n = read(fd, base + count, capacity - 1 - count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                free(base)
                throw unreadable(reason)
            }
            count += n
            if count >= maximumSize {
                free(base)
                throw tooLarge(path)
            }
        }
        base[count] = 0
        return FileBytes(taking: base, count: count)
    }

    /// The largest input file, exclusive: 2 GiB.
    public static let maximumSize = Int(Int32.max)

    static func tooLarge(_ path: String) -> InputErrors {
        InputErrors(InputError(.unreadable, file: path, "is 2 GiB or larger; split it or keep only the rows needed"))
    }

    /// The text of a UTF-8 file, without a leading BOM.
    public static func text(path: String) throws(InputErrors) -> String {
        try text(bytes(path: path), file: path)
    }

    /// UTF-8 text from bytes, or the first line that is not.
    public static func text(_ data: Data, file: String) throws(InputErrors) -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputErrors(InputError(.encoding, file: file, line: firstInvalidLine(bytes),
                                         "is not valid UTF-8 text; save the file as UTF-8 (a BOM is fine)"))
        }
        return text
    }

    static func firstInvalidLine(_ bytes: [UInt8]) -> Int { bytes.withUnsafeBufferPointer(firstInvalidLine) }

    static func firstInvalidLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var line = 1, start = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            if String(validating: bytes[start..<i], as: UTF8.self) == nil { return line }
            line += 1; start = i + 1
        }
        return line
    }
}

/// Decimal numbers as every loader accepts them: digits, a sign, a point and an exponent;
/// never `nan`, `inf`, hexadecimal or surrounding text, and always finite.
public enum DecimalNumber {
    public static func parse(_ text: Substring) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy(isDecimalByte) else { return nil }
        guard let x = Double(trimmed), x.isFinite else { return nil }
        return x
    }

    public static func parse(_ text: String) -> Double? { parse(text[...]) }

    /// `[-]digits[.digits]` with at most 15 digits in all, read exactly: the digits form
    /// an integer below 2⁵³ and the power of ten is at most 10¹⁵, both exact in double
    /// precision, so their quotient is correctly rounded (Clinger's fast path) — the same
    /// number `strtod` gives, at a fraction of its cost. Anything else: nil, for `strtod`.
    @inline(__always)
    static func fastParse(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var i = 0, negative = false
        if count > 0 && p[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var mantissa: Int64 = 0, digits = 0, decimals = 0, point = false
        while i < count {
            let c = p[i]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + Int64(c - UInt8(ascii: "0"))
                digits += 1
                if point { decimals += 1 }
                if digits > 15 { return nil }
            } else if c == UInt8(ascii: ".") && !point {
                point = true
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0, !(point && decimals == 0) else { return nil }
        let x = Double(mantissa) / powersOfTen[decimals]
        return negative ? -x : x
    }

    static let powersOfTen: [Double] = (0...15).map { k in Double((0..<k).reduce(Int64(1)) { p, _ in p * 10 }) }

    @inline(__always)
    static func isDecimalByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"),
             UInt8(ascii: "e"), UInt8(ascii: "E"): return true
        default: return false
        }
    }
}

/// "Did you mean …?": the known words closest to a misspelt one (edit distance ≤ 2, or a
/// prefix), best first.
public enum Suggestions {
    public static func closest(to word: String, among candidates: [String], limit: Int = 3) -> [String] {
        let w = Array(word.lowercased()), lowerWord = word.lowercased()
        let allowed = max(1, min(2, w.count / 3))
        var scored: [(Int, String)] = []
        for c in candidates {
            let lower = c.lowercased()
            if !word.isEmpty && lower != lowerWord && lower.hasPrefix(lowerWord) { scored.append((0, c)); continue }
            guard abs(lower.count - w.count) <= allowed else { continue }
            let d = distance(w, Array(lower))
            if d <= allowed { scored.append((d, c)) }
        }
        return scored.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(limit).map(\.1)
    }

    /// ` (did you mean "a" or "b"?)`, or empty.
    public static func phrase(for word: String, among candidates: [String]) -> String {
        let found = closest(to: word, among: candidates)
        guard !found.isEmpty else { return "" }
        return "; did you mean " + found.map { "\"\($0)\"" }.joined(separator: " or ") + "?"
    }

    /// Levenshtein distance (small words only: keys, names).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
