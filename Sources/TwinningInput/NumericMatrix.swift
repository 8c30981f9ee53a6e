import Foundation
import TwinningShared

/// A dense numeric matrix read from a CSV file without header: one row per line, one
/// number per field; an empty field is a forbidden cell (stored as `nil`), and so is an
/// empty line of a one-column matrix.
public struct NumericMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    /// Row-major values; `nil` marks a forbidden (empty) cell.
    public let values: [Double?]

    /// Reads and checks the whole file, reporting every problem with its line and column.
    public static func read(path: String) throws(InputErrors) -> NumericMatrix {
        try parse(InputFile.bytes(path: path), file: path)
    }

    public static func parse(_ data: Data, file: String) throws(InputErrors) -> NumericMatrix {
        let table = try CSVTable.parse(data, file: file, header: false)
        var errors: [InputError] = []
        var values: [Double?] = []
        let width = table.fieldCount(0)
        values.reserveCapacity(table.count * width)
        // In a one-column matrix an empty line is an empty cell, a forbidden pair, not a
        // blank line to skip (the reader skips those): lines before and between records
        // that hold no record are rows of one empty cell. Blank lines after the last
        // record end the file.
        var rowLines: [Int] = []
        for r in 0..<table.count {
            if width == 1 {
                for missing in (rowLines.last.map { $0 + 1 } ?? 1)..<table.lines[r] {
                    values.append(nil)
                    rowLines.append(missing)
                }
            }
            rowLines.append(table.lines[r])
            guard table.fieldCount(r) == width else {
                errors.append(InputError(.syntax, file: file, line: table.lines[r],
                                         "has \(table.fieldCount(r)) fields, expected \(width) like line \(table.lines[0])"))
                continue
            }
            for k in 0..<width {
                let cell = table.string(r, k)
                if cell.isEmpty { values.append(nil); continue }
                guard let x = table.double(r, k) else {
                    errors.append(InputError(.invalidValue, file: file, line: table.lines[r], column: k + 1,
                        "expected a finite decimal number or an empty cell (forbidden pair), found \"\(cell.prefix(40))\""))
                    values.append(nil)
                    continue
                }
                values.append(x)
            }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return NumericMatrix(rows: rowLines.count, columns: width, values: values)
    }
}
