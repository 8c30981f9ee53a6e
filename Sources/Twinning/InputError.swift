import Foundation

/// A problem in a user's file, located precisely: `file:line:column: message`.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public let line: Int
    /// 1-based column (the field's position in the row); 0 when the whole line is meant.
    public let column: Int
    public let message: String
    /// For JSON inputs: the 1-based record and the key, in place of line and column.
    public let record: (index: Int, key: String?)?

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        record = nil
    }

    public init(file: String, record: Int, key: String?, message: String) {
        self.file = file
        line = 0
        column = 0
        self.message = message
        self.record = (record, key)
    }

    public static func == (a: InputError, b: InputError) -> Bool { a.description == b.description }

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
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The text of a UTF-8 input file, or the error a user should see.
func readText(path: String) throws(InputErrors) -> (file: String, text: String) {
    let file = (path as NSString).lastPathComponent
    guard let data = FileManager.default.contents(atPath: path) else {
        throw InputErrors([InputError(file: file, line: 0, column: 0, message: "cannot read the file")])
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw InputErrors([InputError(file: file, line: 0, column: 0, message: "is not valid UTF-8 text")])
    }
    return (file, text)
}
