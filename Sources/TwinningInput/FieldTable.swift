import Foundation
import TwinningShared

/// Records of named fields, from a CSV file or a JSON array of objects: what the
/// registry and ties loaders check. Each table says where a record and field is, so one
/// validator gives `file:line:column` for CSV and `file: record N, key "k"` for JSON.
protocol FieldTable: Sendable {
    var file: String { get }
    var header: [String] { get }
    var count: Int { get }
    func fieldCount(_ r: Int) -> Int
    func string(_ r: Int, _ k: Int) -> String
    func double(_ r: Int, _ k: Int) -> Double?
    /// The UTF-8 bytes of field `k` of record `r`, surrounding spaces removed, without
    /// building a string (checks of short codes on every row of large files).
    func withBytes<T>(_ r: Int, _ k: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T
    /// Line (CSV) or record number (JSON) of record `r`.
    func position(_ r: Int) -> Int
    /// ``position(_:)`` of every record, in order.
    var positions: [Int] { get }
    /// A problem at record `r` (−1: the header) and field `k` (−1: the whole record).
    func error(_ code: InputError.Code, record r: Int, field k: Int, _ message: String) -> InputError
}

extension FieldTable {
    /// Field `k` of record `r` as a level, or nil.
    func level(_ r: Int, _ k: Int) -> Level? {
        withBytes(r, k) { bytes in Level.allCases.first { $0.utf8 == bytes.count && $0.rawValue.utf8.elementsEqual(bytes) } }
    }

    /// Whether field `k` of record `r` is two capital ASCII letters (an ISO country code).
    func isCountryCode(_ r: Int, _ k: Int) -> Bool {
        withBytes(r, k) { b in b.count == 2 && b.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } }
    }

    /// Field `k` of record `r` as a yes/no flag: `1`/`true` or `0`/`false`; `.some(nil)`
    /// when the field is empty, nil when it is anything else.
    func flag(_ r: Int, _ k: Int) -> Bool?? {
        withBytes(r, k) { b in
            if b.isEmpty { return .some(nil) }
            if b.elementsEqual("1".utf8) || b.elementsEqual("true".utf8) { return true }
            if b.elementsEqual("0".utf8) || b.elementsEqual("false".utf8) { return false }
            return nil
        }
    }

    /// Field `k` of record `r` as a whole number ≥ 0 written in decimal digits, nil when
    /// it is anything else (or too large to hold); `empty` when the field is empty.
    func wholeNumber(_ r: Int, _ k: Int, empty: Int) -> Int? {
        withBytes(r, k) { b in
            if b.isEmpty { return empty }
            var value = 0
            for c in b {
                guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                value = sum
            }
            return value
        }
    }

    /// Positions of the header's columns; duplicates and missing required columns are
    /// reported into `errors`.
    func columns(required: [String], what: String, errors: inout [InputError]) -> [String: Int] {
        var position: [String: Int] = [:]
        for (k, column) in header.enumerated() {
            if let first = position[column] {
                errors.append(error(.duplicate, record: -1, field: k, "duplicate column \"\(column)\" (also column \(first + 1))"))
            } else {
                position[column] = k
            }
        }
        let missing = required.filter { position[$0] == nil }
        for column in missing {
            errors.append(error(.missing, record: -1, field: -1,
                                "missing column \"\(column)\"; a \(what) file needs \(required.joined(separator: ", "))"))
        }
        return position
    }
}

extension CSVTable: FieldTable {
    func position(_ r: Int) -> Int { lines[r] }
    var positions: [Int] { lines }

    func error(_ code: InputError.Code, record r: Int, field k: Int, _ message: String) -> InputError {
        InputError(code, file: file, line: r < 0 ? 1 : lines[r], column: k + 1, message)
    }
}

/// A JSON array of flat objects as a field table: the union of the objects' keys (in
/// order of first appearance, each object's keys sorted) is the header; a missing key
/// is an empty field; numbers and booleans become their text.
struct JSONTable: FieldTable {
    let file: String
    let header: [String]
    private let rows: [[String]]

    var count: Int { rows.count }
    func fieldCount(_ r: Int) -> Int { rows[r].count }
    func string(_ r: Int, _ k: Int) -> String { rows[r][k].trimmingCharacters(in: .whitespaces) }
    func double(_ r: Int, _ k: Int) -> Double? { DecimalNumber.parse(rows[r][k]) }
    func withBytes<T>(_ r: Int, _ k: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var s = string(r, k)
        return s.withUTF8(body)
    }
    func position(_ r: Int) -> Int { r + 1 }
    var positions: [Int] { (0..<count).map { $0 + 1 } }

    func error(_ code: InputError.Code, record r: Int, field k: Int, _ message: String) -> InputError {
        if r < 0 { return InputError(code, file: file, message) }
        return InputError(code, file: file, record: r + 1, key: k >= 0 ? header[k] : nil, message)
    }

    static func parse(_ data: Data, file: String) throws(InputErrors) -> JSONTable {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw InputErrors(InputError(.syntax, file: file, "is not valid JSON: \(detail)"))
        }
        guard let objects = root as? [Any], !objects.isEmpty else {
            throw InputErrors(InputError(.syntax, file: file, "expected a non-empty JSON array of objects"))
        }
        var keys: [String] = [], seen = Set<String>()
        var records: [[String: Any]] = []
        var errors: [InputError] = []
        for (k, object) in objects.enumerated() {
            guard let record = object as? [String: Any] else {
                errors.append(InputError(.syntax, file: file, record: k + 1, key: nil, "expected an object"))
                continue
            }
            for key in record.keys.sorted() where seen.insert(key).inserted { keys.append(key) }
            records.append(record)
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        let rows = records.map { record in keys.map { text(record[$0]) } }
        return JSONTable(file: file, header: keys, rows: rows)
    }

    private static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let n as NSNumber:
            // JSON true/false arrive as NSNumber too, of the boolean subclass (1 is a Bool as well).
            if type(of: n) == type(of: NSNumber(value: true)) { return n.boolValue ? "1" : "0" }
            return n.stringValue
        case let s as String: return s
        default: return "\(value!)"
        }
    }
}
