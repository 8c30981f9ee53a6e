import Foundation

/// A dense numeric matrix read from a CSV file without header: one row per line, one
/// number per field; an empty field is a forbidden cell (stored as `nil`).
public struct NumericMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    /// Row-major values; `nil` marks a forbidden (empty) cell.
    public let values: [Double?]

    /// Reads and checks the whole file, reporting every problem with its line and column.
    public static func read(path: String) throws(InputErrors) -> NumericMatrix {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "cannot read the file")])
        }
        return try parse(data, file: name)
    }

    public static func parse(_ data: Data, file: String) throws(InputErrors) -> NumericMatrix {
        guard var text = String(data: data, encoding: .utf8) else {
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "is not valid UTF-8 text")])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var errors: [InputError] = []
        var values: [Double?] = []
        var width = -1, rows = 0
        // "\r\n" is one Character in Swift, and a newline: this handles both endings.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { lines.removeLast() }
        if lines.isEmpty {
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "is empty; expected rows of comma-separated numbers")])
        }
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let line = rawLine
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if width < 0 { width = fields.count }
            if fields.count != width {
                errors.append(InputError(file: file, line: lineNumber, column: 0,
                                         message: "has \(fields.count) fields, expected \(width) like line 1"))
                continue
            }
            for (k, field) in fields.enumerated() {
                let cell = field.trimmingCharacters(in: .whitespaces)
                if cell.isEmpty { values.append(nil); continue }
                guard let x = Double(cell), x.isFinite else {
                    errors.append(InputError(file: file, line: lineNumber, column: k + 1,
                        message: "expected a finite number or an empty cell (forbidden pair), found \"\(cell.prefix(40))\""))
                    values.append(nil)
                    continue
                }
                values.append(x)
            }
            rows += 1
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return NumericMatrix(rows: rows, columns: width, values: values)
    }
}
