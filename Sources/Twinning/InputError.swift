/// A problem in a user's file, located precisely: `file:line:column: message`.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public let line: Int
    /// 1-based column (the field's position in the row); 0 when the whole line is meant.
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line == 0 ? "\(file): \(message)" : column == 0 ? "\(file):\(line): \(message)" : "\(file):\(line):\(column): \(message)"
    }
}

/// Every problem found in one pass over the inputs, in file order.
public struct InputErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [InputError]
    public init(_ errors: [InputError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
