import Foundation
import Yams
import TwinningShared

/// The one YAML loader: weights, rules and job files are read through it. Syntax errors
/// come as `file:line:column`, every key is checked against the keys the file may have
/// (a misspelt key is an error with a suggestion, never silently ignored), and every
/// value is checked for its type and range, all problems reported in one pass.
public struct YAMLReader {
    public let file: String
    public private(set) var errors: [InputError] = []

    public init(file: String) { self.file = file }

    /// Parses `text` into its root node (nil for an empty document).
    public static func parse(_ text: String, file: String) throws(InputErrors) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw InputErrors(syntaxError(error, file: file))
        } catch {
            throw InputErrors(InputError(.syntax, file: file, "is not valid YAML: \(error)"))
        }
    }

    /// Reads and parses a YAML file named by the user.
    public static func load(path: String) throws(InputErrors) -> Node? {
        try parse(InputFile.text(path: path), file: path)
    }

    static func syntaxError(_ error: YamlError, file: String) -> InputError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return InputError(.syntax, file: file, line: mark.line, column: mark.column, "YAML syntax: \(problem)\(while_)")
        case let .reader(problem, _, _, _):
            return InputError(.encoding, file: file, "is not readable YAML text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return InputError(.duplicate, file: file, line: context.mark.line, column: context.mark.column,
                              "key \(duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")) is given twice")
        default:
            return InputError(.syntax, file: file, "is not valid YAML: \(error)")
        }
    }

    // MARK: Reporting

    public mutating func fail(_ node: Node?, _ code: InputError.Code, _ message: String) {
        let mark = node?.mark
        errors.append(InputError(code, file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message))
    }

    public mutating func fail(line: Int, column: Int = 0, _ code: InputError.Code, _ message: String) {
        errors.append(InputError(code, file: file, line: line, column: column, message))
    }

    /// Throws every problem reported so far, if any.
    public func finish() throws(InputErrors) {
        if !errors.isEmpty { throw InputErrors(errors) }
    }

    // MARK: Structure

    /// The entries of a mapping whose keys must be among `keys`; an unknown key is
    /// reported with the closest known ones. `what` names the file's kind in messages.
    /// `retired`: keys that once existed, each with the sentence saying what replaced it.
    public mutating func entries(_ node: Node?, keys: [String], what: String,
                                 retired: [String: String] = [:]) -> [(key: String, keyNode: Node, value: Node)] {
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            fail(node, .syntax, "expected a mapping of \(what) keys (\(keys.joined(separator: ", ")))")
            return []
        }
        var out: [(String, Node, Node)] = []
        for (k, v) in mapping {
            guard let name = k.string, k.scalar != nil else {
                fail(k, .syntax, "keys must be plain words such as \(keys[0])")
                continue
            }
            if let replaced = retired[name] {
                fail(k, .unknownKey, replaced)
                continue
            }
            guard keys.contains(name) else {
                fail(k, .unknownKey, "unknown \(what) key \"\(name)\"" + Suggestions.phrase(for: name, among: keys)
                     + (Suggestions.closest(to: name, among: keys).isEmpty ? "; expected one of \(keys.joined(separator: ", "))" : ""))
                continue
            }
            out.append((name, k, v))
        }
        return out
    }

    /// The entries of a mapping whose keys are the user's own (level words, answer texts):
    /// any plain text key, each once.
    public mutating func openEntries(_ node: Node?, what: String) -> [(key: String, keyNode: Node, value: Node)] {
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            fail(node, .syntax, "expected a mapping of \(what)s to their values")
            return []
        }
        var out: [(String, Node, Node)] = []
        for (k, v) in mapping {
            guard let name = k.string, k.scalar != nil, !name.isEmpty else {
                fail(k, .syntax, "each \(what) must be a plain text")
                continue
            }
            out.append((name, k, v))
        }
        return out
    }

    /// The items of a sequence.
    public mutating func items(_ node: Node, _ name: String, expected: String) -> [Node]? {
        guard let sequence = node.sequence else {
            fail(node, .invalidValue, "\(name) must be a list of \(expected)")
            return nil
        }
        return Array(sequence)
    }

    // MARK: Values

    /// A finite decimal number in `range`.
    public mutating func number(_ node: Node, _ name: String, in range: ClosedRange<Double>? = nil,
                                expected: String? = nil) -> Double? {
        guard let text = node.scalar?.string, node.scalar?.style == .plain, let x = DecimalNumber.parse(text) else {
            fail(node, .invalidValue, "\(name) must be \(expected ?? "a finite number"), found \(Self.shown(node))")
            return nil
        }
        if let range, !range.contains(x) {
            fail(node, .invalidValue, "\(name) must be \(expected ?? "between \(Self.shown(range.lowerBound)) and \(Self.shown(range.upperBound))"), found \(text)")
            return nil
        }
        return x
    }

    /// A whole number ≥ `minimum`.
    public mutating func wholeNumber(_ node: Node, _ name: String, minimum: Int = 0) -> Int? {
        guard let text = node.scalar?.string, node.scalar?.style == .plain, let k = Int(text), k >= minimum else {
            fail(node, .invalidValue, "\(name) must be a whole number ≥ \(minimum), found \(Self.shown(node))")
            return nil
        }
        return k
    }

    public mutating func bool(_ node: Node, _ name: String) -> Bool? {
        guard let text = node.scalar?.string, node.scalar?.style == .plain, let b = ["true": true, "false": false][text] else {
            fail(node, .invalidValue, "\(name) must be true or false, found \(Self.shown(node))")
            return nil
        }
        return b
    }

    /// A non-empty scalar string.
    public mutating func string(_ node: Node, _ name: String, expected: String = "a text") -> String? {
        guard let s = node.scalar?.string, !s.isEmpty else {
            fail(node, .invalidValue, "\(name) must be \(expected), found \(Self.shown(node))")
            return nil
        }
        return s
    }

    /// How a node appears in messages: a scalar's text, or what kind of node it is.
    package static func shown(_ node: Node) -> String {
        switch node {
        case let .scalar(s): return "\"\(s.string.prefix(40))\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    package static func shown(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
