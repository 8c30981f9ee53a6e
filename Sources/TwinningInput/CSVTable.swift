import Foundation
import TwinningShared

/// An RFC 4180 CSV file read whole into bytes: a header, then records whose fields are
/// byte ranges, each record remembering the line it starts on for `file:line:column`.
///
/// It records field boundaries in one pass over the bytes (two halves on two cores for a
/// large file) and parses numbers in place; a CSV library handing out fields as strings
/// was several times slower before any field was checked (the measurements are in
/// `Benchmarks/README.md`). It implements RFC 4180: quoted fields with commas, doubled
/// quotes and line breaks, CRLF or LF endings, a UTF-8 BOM, blank lines skipped. As
/// spreadsheets save it, the separator may also be `;` (Excel in most of Europe) or a tab
/// (Excel's "Unicode text", UTF-16 with a BOM, read as its UTF-8): the one the first
/// record has most of, outside quotes, a comma on a tie.
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
    /// The separator the file uses: `,`, `;` or a tab.
    public let separator: Character

    private let storage: FileBytes             // the file, NUL-terminated
    private let bytes: UnsafePointer<UInt8>    // its text, after any BOM
    // Every field's byte range (quotes excluded), in one pair of buffers per part of the
    // file scanned on its own core (owned), so the parts need no joining: fields numbered
    // from `split` on are the second part's, at `f − split` in its buffers.
    private let parts: [(starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>)]
    private let split: Int
    private let firstField: [Int]              // per data record, index of its first field
    private let fieldCounts: [Int32]           // per data record, its number of fields
    private let unescaped: [Int: String]       // quoted fields that contained doubled quotes
    // Those fields have their end stored as −end − 1: one comparison tells them apart, so
    // the dictionary is consulted only for them.

    /// Field `f`'s byte range; the end is negative for a field in `unescaped`.
    @inline(__always)
    private func bounds(_ f: Int) -> (Int, Int) {
        let (p, k) = f < split ? (parts[0], f) : (parts[1], f - split)
        return (Int(p.starts[k]), Int(p.ends[k]))
    }

    /// Fields in data record `r`.
    public func fieldCount(_ r: Int) -> Int { Int(fieldCounts[r]) }

    /// The text of field `k` of data record `r`, surrounding spaces removed.
    public func string(_ r: Int, _ k: Int) -> String {
        let f = firstField[r] + k
        var (a, b) = bounds(f)
        if b < 0 { return unescaped[f]!.trimmingCharacters(in: .whitespaces) }
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        return String(decoding: UnsafeBufferPointer(start: bytes + a, count: b - a), as: UTF8.self)
    }

    /// The bytes of field `k` of record `r`, surrounding spaces removed.
    public func withBytes<T>(_ r: Int, _ k: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let f = firstField[r] + k
        var (a, b) = bounds(f)
        if b < 0 {
            var s = string(r, k)
            return s.withUTF8(body)
        }
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        return body(UnsafeBufferPointer(start: bytes + a, count: b - a))
    }

    /// Field `k` of record `r` as a finite decimal number (see ``DecimalNumber``), or nil.
    /// In a file separated by `;` or tabs, as spreadsheets in most of Europe save one, a
    /// decimal comma is read as a point (`0,5`).
    public func double(_ r: Int, _ k: Int) -> Double? {
        let f = firstField[r] + k
        var (a, b) = bounds(f)
        if b < 0 { return DecimalNumber.parse(string(r, k)) }
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        guard a < b else { return nil }
        if let x = DecimalNumber.fastParse(bytes + a, b - a) { return x }
        if separator != ",", UnsafeBufferPointer(start: bytes + a, count: b - a).contains(0x2C) {
            return DecimalNumber.parse(string(r, k).replacingOccurrences(of: ",", with: "."))
        }
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
        let contents = try utf8(contents, file: file)
        let skip = contents.withUnsafeBytes { $0.starts(with: [0xEF, 0xBB, 0xBF]) } ? 3 : 0
        let end = contents.count - skip
        guard end < Int(Int32.max) else {
            throw InputErrors(InputError(.unreadable, file: file, "is larger than 2 GiB; split it or keep only the rows needed"))
        }
        let separator = contents.withUnsafeBytes { sniffSeparator(UnsafeBufferPointer(rebasing: $0[skip..<(skip + end)])) }
        return try scan(contents, skip: skip, end: end, file: file, header: header, separator: separator)
    }

    /// A UTF-16 file with its byte-order mark (Excel's "Unicode text") as UTF-8; any other
    /// file as it is (checked for UTF-8 as it is scanned).
    static func utf8(_ contents: FileBytes, file: String) throws(InputErrors) -> FileBytes {
        let bom = contents.withUnsafeBytes { Array($0.prefix(2)) }
        guard bom == [0xFF, 0xFE] || bom == [0xFE, 0xFF] else { return contents }
        guard let text = String(data: contents.data, encoding: bom == [0xFF, 0xFE] ? .utf16LittleEndian : .utf16BigEndian) else {
            throw InputErrors(InputError(.encoding, file: file, "starts as UTF-16 text but is not valid UTF-16; save it as UTF-8 or as Unicode text again"))
        }
        return FileBytes(copying: Data(text.drop { $0 == "\u{FEFF}" }.utf8))
    }

    /// The separator of the first record: whichever of `,` `;` and tab it has most of
    /// outside quotes (a comma when none, or on a tie).
    static func sniffSeparator(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0], quoted = false
        for b in bytes {
            if b == 0x22 { quoted.toggle(); continue }
            if quoted { continue }
            if b == 0x0A || b == 0x0D { break }
            counts[b]? += 1
        }
        return [UInt8(0x3B), 0x09].reduce(UInt8(0x2C)) { best, b in counts[b]! > counts[best]! ? b : best }
    }

    /// Reads and parses a CSV file named by the user.
    public static func load(path: String, header: Bool = true) throws(InputErrors) -> CSVTable {
        try parse(InputFile.contents(path: path), file: path, header: header)
    }

    /// The records of part of a file (its field bounds are in the part's buffers): where
    /// each record starts (as a field number), how many fields it has and on which line,
    /// the text of quoted fields with doubled quotes (by field number), and the line the
    /// part ends on.
    private struct Fields {
        var firstField: [Int] = [], fieldCounts: [Int32] = [], lines: [Int] = []
        var unescaped: [Int: String] = [:]
        var lastLine: Int

        /// Appends the records of the part that follows, which was read as if it started on
        /// line 1 (its fields are in place already).
        mutating func append(_ next: Fields) {
            let lineOffset = lastLine - 1
            firstField += next.firstField; fieldCounts += next.fieldCounts
            lines += next.lines.map { $0 + lineOffset }
            unescaped.merge(next.unescaped) { first, _ in first }
            lastLine = next.lastLine + lineOffset
        }
    }

    /// Checks the bytes are UTF-8 and scans them for field boundaries, in two halves on two
    /// cores when the file is large: the halves meet at a line break outside any quoted
    /// field (an even number of quote characters before it), so each half is whole records
    /// and whole characters.
    private static func scan(_ contents: FileBytes, skip: Int, end: Int, file: String, header: Bool, separator: UInt8) throws(InputErrors) -> CSVTable {
        let bytes = UnsafePointer(contents.base + skip)
        let parts: [Range<Int>]
        if end > 1 << 20 && ProcessInfo.processInfo.activeProcessorCount > 1, let split = splitPoint(bytes, end) {
            parts = [0..<split, split..<end]
        } else {
            parts = [0..<end]
        }
        var (buffers, results, valid) = scanParts(contents, skip: skip, end: end, parts: parts, file: file, separator: separator)
        func fail(_ error: InputErrors) -> InputErrors {
            for b in buffers { b.starts.deallocate(); b.ends.deallocate() }
            return error
        }
        guard !valid.contains(false) else {
            throw fail(InputErrors(InputError(.encoding, file: file, line: InputFile.firstInvalidLine(UnsafeBufferPointer(start: bytes, count: end)),
                                              "is not valid UTF-8 text; save the file as UTF-8 (a BOM is fine)")))
        }
        let fields: Fields
        do throws(InputErrors) {
            fields = try join(&results, parts: parts, buffers: buffers, bytes: bytes, file: file, separator: separator)
        } catch { throw fail(error) }
        let (firstField, fieldCounts, lines, unescaped) = (fields.firstField, fields.fieldCounts, fields.lines, fields.unescaped)
        guard !firstField.isEmpty else {
            throw fail(InputErrors(InputError(.missing, file: file,
                                              header ? "is empty; expected a header row and data rows" : "is empty; expected rows of comma-separated numbers")))
        }
        let split = parts.count > 1 ? parts[1].lowerBound + 1 : Int.max
        guard header else {
            return CSVTable(file: file, header: [], lines: lines, separator: Character(UnicodeScalar(separator)), storage: contents,
                            bytes: bytes, parts: buffers, split: split, firstField: firstField, fieldCounts: fieldCounts, unescaped: unescaped)
        }
        // The header is the first part's first record.
        let headerFields = (firstField[0]..<(firstField[0] + Int(fieldCounts[0]))).map { f -> String in
            let (a, b) = (Int(buffers[0].starts[f]), Int(buffers[0].ends[f]))
            return unescaped[f] ?? String(decoding: UnsafeBufferPointer(start: bytes + a, count: b - a), as: UTF8.self)
        }.map { $0.trimmingCharacters(in: .whitespaces) }
        return CSVTable(file: file, header: headerFields, lines: Array(lines.dropFirst()), separator: Character(UnicodeScalar(separator)),
                        storage: contents, bytes: bytes,
                        parts: buffers, split: split, firstField: Array(firstField.dropFirst()),
                        fieldCounts: Array(fieldCounts.dropFirst()), unescaped: unescaped)
    }

    typealias PartBuffers = (starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>)

    /// Each part checked for UTF-8 and scanned on a core of its own. Each part is read as
    /// if it started on line 1; the lines are shifted when joined. Part k's fields are
    /// numbered from its first byte plus k (the parts before it have at most one field per
    /// byte, plus one), each part's in buffers of its own with room for as many: memory
    /// never touched costs nothing, and buffers of this size come from (and go back to) the
    /// heap the later stages reuse.
    private static func scanParts(_ contents: FileBytes, skip: Int, end: Int, parts: [Range<Int>], file: String, separator: UInt8)
        -> (buffers: [PartBuffers], results: [Result<Fields, InputErrors>?], valid: [Bool]) {
        let buffers = parts.map { part in
            (starts: UnsafeMutablePointer<Int32>.allocate(capacity: part.count + 1), ends: UnsafeMutablePointer<Int32>.allocate(capacity: part.count + 1))
        }
        var results = [Result<Fields, InputErrors>?](repeating: nil, count: parts.count)
        var valid = [Bool](repeating: false, count: parts.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer), source = SharedBuffer(UnsafeMutableBufferPointer(start: contents.base + skip, count: end + 1))
            let out = zip(buffers, parts).map { b, part in
                (starts: SharedBuffer(UnsafeMutableBufferPointer(start: b.starts, count: part.count + 1)),
                 ends: SharedBuffer(UnsafeMutableBufferPointer(start: b.ends, count: part.count + 1)))
            }
            valid.withUnsafeMutableBufferPointer { flags in
                let checked = SharedBuffer(flags)
                DispatchQueue.concurrentPerform(iterations: parts.count) { k in
                    let text = UnsafeBufferPointer(start: source.base + parts[k].lowerBound, count: parts[k].count)
                    checked[k] = (try? UTF8Span(validating: text.span)) != nil
                    guard checked[k] else { return }
                    shared[k] = Result { () throws(InputErrors) in
                        try scan(bytes: source.base, range: parts[k], firstLine: 1, file: file,
                                 into: out[k].starts.base, out[k].ends.base, base: parts[k].lowerBound + k, separator: separator)
                    }
                }
            }
        }
        return (buffers, results, valid)
    }

    /// The parts' records as one, their lines shifted; a part that failed is read again
    /// from the line it starts on, so its error names the problem's own line.
    private static func join(_ results: inout [Result<Fields, InputErrors>?], parts: [Range<Int>], buffers: [PartBuffers],
                             bytes: UnsafePointer<UInt8>, file: String, separator: UInt8) throws(InputErrors) -> Fields {
        var fields = try results[0]!.get()
        results[0] = nil   // so that appending to `fields` does not copy it
        for (k, next) in results.enumerated().dropFirst() {
            switch next! {
            case let .success(part): fields.append(part)
            case let .failure(error):
                let again = Result { () throws(InputErrors) in
                    try scan(bytes: bytes, range: parts[k], firstLine: fields.lastLine, file: file,
                             into: buffers[k].starts, buffers[k].ends, base: parts[k].lowerBound + k, separator: separator)
                }
                if case let .failure(located) = again { throw located }
                throw error
            }
        }
        return fields
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

    /// One pass over `range` recording field boundaries into the part's `starts` and
    /// `ends`, numbering its fields from `base`; `range` is whole records and starts on
    /// line `firstLine`. Plain local state, no closures: captured variables would be boxed.
    private static func scan(bytes: UnsafePointer<UInt8>, range: Range<Int>, firstLine: Int, file: String,
                             into starts: UnsafeMutablePointer<Int32>, _ ends: UnsafeMutablePointer<Int32>,
                             base: Int, separator comma: UInt8) throws(InputErrors) -> Fields {
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let end = range.upperBound
        var count = 0                // fields written
        var firstField: [Int] = [], fieldCounts: [Int32] = [], lines: [Int] = []
        var unescaped: [Int: String] = [:]
        var line = firstLine, i = range.lowerBound
        var recordStart = 0          // the current record's first field
        var recordLine = firstLine   // and the line it starts on
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
                    throw InputErrors(InputError(.syntax, file: file, line: fieldLine, column: count - recordStart + 1,
                                                 "quoted field is never closed"))
                }
                if escaped {
                    // Doubled quotes made single, byte by byte (linear in the field's length).
                    let raw = UnsafeBufferPointer(start: bytes + i + 1, count: j - i - 1)
                    unescaped[base + count] = String(unsafeUninitializedCapacity: raw.count) { out in
                        var n = 0, k = 0
                        while k < raw.count {
                            out[n] = raw[k]; n += 1
                            k += raw[k] == quote ? 2 : 1
                        }
                        return n
                    }
                }
                starts[count] = Int32(i + 1); ends[count] = Int32(j); count += 1
                i = j + 1
                while i < end, bytes[i] == 0x20 { i += 1 }
                if i < end, bytes[i] != comma, bytes[i] != newline, bytes[i] != cr {
                    throw InputErrors(InputError(.syntax, file: file, line: line, column: count - recordStart,
                                                 "unexpected text after a closing quote"))
                }
            } else {
                var j = i
                while j < end {
                    let c = bytes[j]
                    if c == comma || c == newline || c == cr { break }
                    j += 1
                }
                starts[count] = Int32(i); ends[count] = Int32(j); count += 1
                i = j
            }
            if i >= end { break }
            if bytes[i] == comma {
                i += 1
                if i == end { starts[count] = Int32(i); ends[count] = Int32(i); count += 1 }
                continue
            }
            // End of record: \n, \r\n or \r.
            if bytes[i] == cr, i + 1 < end, bytes[i + 1] == newline { i += 1 }
            i += 1
            line += 1
            if count - recordStart == 1 && ends[recordStart] == Int32(fieldStart) && bytes[fieldStart] != quote {
                // A blank line: not a record.
                count -= 1
            } else {
                firstField.append(base + recordStart); fieldCounts.append(Int32(count - recordStart)); lines.append(recordLine)
                recordStart = count
            }
            recordLine = line
        }
        if count > recordStart {
            firstField.append(base + recordStart); fieldCounts.append(Int32(count - recordStart)); lines.append(recordLine)
        }
        return Fields(firstField: firstField, fieldCounts: fieldCounts, lines: lines, unescaped: unescaped, lastLine: line)
    }

    private init(file: String, header: [String], lines: [Int], separator: Character, storage: FileBytes, bytes: UnsafePointer<UInt8>,
                 parts: [(starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>)], split: Int,
                 firstField: [Int], fieldCounts: [Int32], unescaped: [Int: String]) {
        self.file = file; self.header = header; self.lines = lines; self.separator = separator; self.storage = storage; self.bytes = bytes
        for f in unescaped.keys {
            let (p, k) = f < split ? (parts[0], f) : (parts[1], f - split)
            p.ends[k] = -p.ends[k] - 1
        }
        self.parts = parts; self.split = split; self.firstField = firstField; self.fieldCounts = fieldCounts
        self.unescaped = unescaped
    }

    deinit { for p in parts { p.starts.deallocate(); p.ends.deallocate() } }
}
