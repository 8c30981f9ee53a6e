import Foundation

/// An RFC 4180 CSV file read whole into bytes: a header, then records whose fields are
/// byte ranges, each record remembering the line it starts on for `file:line:column`.
///
/// It records field boundaries in one pass over the bytes (two halves on two cores for a
/// large file) and parses numbers in place; a CSV library handing out fields as strings
/// was several times slower before any field was checked (the measurements are in
/// `Benchmarks/README.md`). It implements RFC 4180: quoted fields with commas, doubled
/// quotes and line breaks, CRLF or LF endings, a UTF-8 BOM, blank lines skipped.
///
/// This is the one CSV reader of the tool: registries, ties, decisions and numeric
/// matrices all go through it.
public final class CSVTable: @unchecked Sendable {
    public let file: String
    /// The first record's fields, or empty when the table was read without a header.
    public let header: [String]
    /// Number of data records.
    public var count: Int { lines.count }
    /// 1-based line on which each data record starts.
    public let lines: [Int]

    private let storage: FileBytes             // the file, NUL-terminated
    private let bytes: UnsafePointer<UInt8>    // its text, after any BOM
    private let starts: [Int32], ends: [Int32] // every field's byte range (quotes excluded)
    private let firstField: [Int]              // per data record, index of its first field (plus a sentinel)
    private let unescaped: [Int: String]       // quoted fields that contained doubled quotes
    // Those fields have their end stored as −end − 1: one comparison tells them apart, so
    // the dictionary is consulted only for them.

    /// Fields in data record `r`.
    public func fieldCount(_ r: Int) -> Int { firstField[r + 1] - firstField[r] }

    /// The text of field `k` of data record `r`, surrounding spaces removed.
    public func string(_ r: Int, _ k: Int) -> String {
        let f = firstField[r] + k
        if ends[f] < 0 { return unescaped[f]!.trimmingCharacters(in: .whitespaces) }
        var a = Int(starts[f]), b = Int(ends[f])
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        return String(decoding: UnsafeBufferPointer(start: bytes + a, count: b - a), as: UTF8.self)
    }

    /// The bytes of field `k` of record `r`, surrounding spaces removed.
    public func withBytes<T>(_ r: Int, _ k: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let f = firstField[r] + k
        if ends[f] < 0 {
            var s = string(r, k)
            return s.withUTF8(body)
        }
        var a = Int(starts[f]), b = Int(ends[f])
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        return body(UnsafeBufferPointer(start: bytes + a, count: b - a))
    }

    /// Field `k` of record `r` as a finite decimal number (see ``DecimalNumber``), or nil.
    public func double(_ r: Int, _ k: Int) -> Double? {
        let f = firstField[r] + k
        if ends[f] < 0 { return DecimalNumber.parse(string(r, k)) }
        var a = Int(starts[f]), b = Int(ends[f])
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        guard a < b else { return nil }
        if let x = DecimalNumber.fastParse(bytes + a, b - a) { return x }
        // strtod accepts "nan", "inf", hex and leading spaces: allow only decimal syntax.
        for i in a..<b where !DecimalNumber.isDecimalByte(bytes[i]) { return nil }
        let begin = UnsafeRawPointer(bytes + a).assumingMemoryBound(to: CChar.self)
        var end: UnsafeMutablePointer<CChar>? = nil
        let x = strtod(begin, &end)
        guard let end, UnsafePointer(end) == begin + (b - a), x.isFinite else { return nil }
        return x
    }

    /// Parses `data`; throws for problems that make the file unreadable as a whole. With
    /// `header: false` every record is a data record (numeric matrices).
    public static func parse(_ data: Data, file: String, header: Bool = true) throws(InputErrors) -> CSVTable {
        try parse(FileBytes(copying: data), file: file, header: header)
    }

    /// Parses a file's bytes in place (the table keeps them).
    public static func parse(_ contents: FileBytes, file: String, header: Bool = true) throws(InputErrors) -> CSVTable {
        let skip = contents.withUnsafeBytes { $0.starts(with: [0xEF, 0xBB, 0xBF]) } ? 3 : 0
        let end = contents.count - skip
        guard end < Int(Int32.max) else {
            throw InputErrors(InputError(.unreadable, file: file, "is larger than 2 GiB; split it or keep only the rows needed"))
        }
        return try scan(contents, skip: skip, end: end, file: file, header: header)
    }

    /// Reads and parses a CSV file named by the user.
    public static func load(path: String, header: Bool = true) throws(InputErrors) -> CSVTable {
        try parse(InputFile.contents(path: path), file: path, header: header)
    }

    /// Field boundaries of part of a file: every field's byte range, where each record
    /// starts (plus a sentinel) and on which line, and the text of quoted fields with
    /// doubled quotes; and the line the part ends on.
    private struct Fields {
        var starts: [Int32] = [], ends: [Int32] = [], firstField: [Int] = [0], lines: [Int]
        var unescaped: [Int: String] = [:]
        var lastLine: Int

        /// Appends the fields of the part that follows, which was read as if it started on
        /// line 1.
        mutating func append(_ next: Fields) {
            let offset = starts.count, lineOffset = lastLine - 1
            starts += next.starts; ends += next.ends
            firstField += next.firstField.dropFirst().map { $0 + offset }
            lines += next.lines.map { $0 + lineOffset }
            for (k, text) in next.unescaped { unescaped[k + offset] = text }
            lastLine = next.lastLine + lineOffset
        }
    }

    /// Checks the bytes are UTF-8 and scans them for field boundaries, in two halves on two
    /// cores when the file is large: the halves meet at a line break outside any quoted
    /// field (an even number of quote characters before it), so each half is whole records
    /// and whole characters.
    private static func scan(_ contents: FileBytes, skip: Int, end: Int, file: String, header: Bool) throws(InputErrors) -> CSVTable {
        let bytes = UnsafePointer(contents.base + skip)
        let parts: [Range<Int>]
        if end > 1 << 20 && ProcessInfo.processInfo.activeProcessorCount > 1, let split = splitPoint(bytes, end) {
            parts = [0..<split, split..<end]
        } else {
            parts = [0..<end]
        }
        // Each part is read as if it started on line 1; the lines are shifted when joined.
        var results = [Result<Fields, InputErrors>?](repeating: nil, count: parts.count)
        var valid = [Bool](repeating: false, count: parts.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer), source = SharedBuffer(UnsafeMutableBufferPointer(start: contents.base + skip, count: end + 1))
            valid.withUnsafeMutableBufferPointer { flags in
                let checked = SharedBuffer(flags)
                DispatchQueue.concurrentPerform(iterations: parts.count) { k in
                    let text = UnsafeBufferPointer(start: source.base + parts[k].lowerBound, count: parts[k].count)
                    checked[k] = (try? UTF8Span(validating: text.span)) != nil
                    guard checked[k] else { return }
                    // The first part has room for every part's fields, so joining copies once.
                    shared[k] = Result { () throws(InputErrors) in
                        try scan(bytes: source.base, range: parts[k], firstLine: 1, file: file, room: k == 0 ? end : parts[k].count)
                    }
                }
            }
        }
        guard !valid.contains(false) else {
            throw InputErrors(InputError(.encoding, file: file, line: InputFile.firstInvalidLine(UnsafeBufferPointer(start: bytes, count: end)),
                                         "is not valid UTF-8 text; save the file as UTF-8 (a BOM is fine)"))
        }
        var fields = try results[0]!.get()
        results[0] = nil   // so that appending to `fields` does not copy it
        for (k, next) in results.enumerated().dropFirst() {
            switch next! {
            case let .success(part): fields.append(part)
            case let .failure(error):
                // Lines do not steer the scan: read again from the line the part starts on,
                // it fails the same way, naming the problem's own line.
                let again = Result { () throws(InputErrors) in try scan(bytes: bytes, range: parts[k], firstLine: fields.lastLine, file: file) }
                if case let .failure(located) = again { throw located }
                throw error
            }
        }
        let (starts, ends, firstField, lines, unescaped) = (fields.starts, fields.ends, fields.firstField, fields.lines, fields.unescaped)
        guard firstField.count >= 2 else {
            throw InputErrors(InputError(.missing, file: file,
                                         header ? "is empty; expected a header row and data rows" : "is empty; expected rows of comma-separated numbers"))
        }
        guard header else {
            return CSVTable(file: file, header: [], lines: lines, storage: contents, bytes: bytes, starts: starts, ends: ends,
                            firstField: firstField, unescaped: unescaped)
        }
        let headerFields = (firstField[0]..<firstField[1]).map { f -> String in
            unescaped[f] ?? String(decoding: UnsafeBufferPointer(start: bytes + Int(starts[f]), count: Int(ends[f] - starts[f])), as: UTF8.self)
        }.map { $0.trimmingCharacters(in: .whitespaces) }
        return CSVTable(file: file, header: headerFields, lines: Array(lines.dropFirst()), storage: contents, bytes: bytes,
                        starts: starts, ends: ends, firstField: Array(firstField.dropFirst()), unescaped: unescaped)
    }

    /// The byte after a line break near the middle that lies outside every quoted field,
    /// or nil if there is none.
    private static func splitPoint(_ bytes: UnsafePointer<UInt8>, _ end: Int) -> Int? {
        var quotes = 0, p = 0
        var candidate = end / 2
        while candidate < end - 1 {
            while candidate < end - 1 && bytes[candidate] != 0x0A { candidate += 1 }
            guard candidate < end - 1 else { return nil }
            while p < candidate { if bytes[p] == 0x22 { quotes += 1 }; p += 1 }
            if quotes % 2 == 0 { return candidate + 1 }
            candidate += 1
        }
        return nil
    }

    /// One pass over `range` recording field boundaries; `range` is whole records and
    /// starts on line `firstLine`. Plain local state, no closures: captured variables
    /// would be boxed. The field arrays get room for `room` bytes' worth of fields at the
    /// outset (a field and its separator take two bytes or more in practice), so they do
    /// not grow and copy as they fill: memory reserved and never touched costs nothing.
    private static func scan(bytes: UnsafePointer<UInt8>, range: Range<Int>, firstLine: Int,
                             file: String, room: Int? = nil) throws(InputErrors) -> Fields {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let end = range.upperBound
        var starts: [Int32] = [], ends: [Int32] = [], firstField: [Int] = [0], lines: [Int] = [firstLine]
        var unescaped: [Int: String] = [:]
        starts.reserveCapacity((room ?? range.count) / 2 + 1); ends.reserveCapacity((room ?? range.count) / 2 + 1)
        var line = firstLine, i = range.lowerBound
        var recordStart = 0          // index into starts of the current record's first field
        while i < end {
            let fieldStart = i
            if bytes[i] == quote {
                let fieldLine = line
                var j = i + 1, escaped = false, closed = false
                while j < end {
                    let c = bytes[j]
                    if c == quote {
                        if j + 1 < end && bytes[j + 1] == quote { escaped = true; j += 2; continue }
                        closed = true
                        break
                    }
                    if c == newline { line += 1 }
                    j += 1
                }
                guard closed else {
                    throw InputErrors(InputError(.syntax, file: file, line: fieldLine, column: starts.count - recordStart + 1,
                                                 "quoted field is never closed"))
                }
                if escaped {
                    let raw = String(decoding: UnsafeBufferPointer(start: bytes + i + 1, count: j - i - 1), as: UTF8.self)
                    unescaped[starts.count] = raw.replacingOccurrences(of: "\"\"", with: "\"")
                }
                starts.append(Int32(i + 1)); ends.append(Int32(j))
                i = j + 1
                while i < end, bytes[i] == 0x20 { i += 1 }
                if i < end, bytes[i] != comma, bytes[i] != newline, bytes[i] != cr {
                    throw InputErrors(InputError(.syntax, file: file, line: line, column: starts.count - recordStart,
                                                 "unexpected text after a closing quote"))
                }
            } else {
                var j = i
                while j < end {
                    let c = bytes[j]
                    if c == comma || c == newline || c == cr { break }
                    j += 1
                }
                starts.append(Int32(i)); ends.append(Int32(j))
                i = j
            }
            if i >= end { break }
            if bytes[i] == comma {
                i += 1
                if i == end { starts.append(Int32(i)); ends.append(Int32(i)) }
                continue
            }
            // End of record: \n, \r\n or \r.
            if bytes[i] == cr, i + 1 < end, bytes[i + 1] == newline { i += 1 }
            i += 1
            line += 1
            if starts.count - recordStart == 1 && ends[recordStart] == Int32(fieldStart) && bytes[fieldStart] != quote {
                // A blank line: not a record.
                starts.removeLast(); ends.removeLast()
                lines[lines.count - 1] = line
            } else {
                firstField.append(starts.count)
                lines.append(line)
                recordStart = starts.count
            }
        }
        if starts.count > recordStart {
            firstField.append(starts.count)
        } else {
            lines.removeLast()
        }
        return Fields(starts: starts, ends: ends, firstField: firstField, lines: lines, unescaped: unescaped, lastLine: line)
    }

    private init(file: String, header: [String], lines: [Int], storage: FileBytes, bytes: UnsafePointer<UInt8>, starts: [Int32],
                 ends: [Int32], firstField: [Int], unescaped: [Int: String]) {
        self.file = file; self.header = header; self.lines = lines; self.storage = storage; self.bytes = bytes
        var ends = ends
        for f in unescaped.keys { ends[f] = -ends[f] - 1 }
        self.starts = starts; self.ends = ends; self.firstField = firstField; self.unescaped = unescaped
    }

}
