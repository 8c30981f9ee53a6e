import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// The tool's JSON writer: an `Encoder` that builds a light tree of the value, then writes
/// it as UTF-8 with every object's keys sorted, so the bytes depend on the value alone.
///
/// It writes exactly what Foundation's `JSONEncoder` writes with `.sortedKeys` and
/// `.withoutEscapingSlashes` (and `.prettyPrinted` when asked): the same escapes, the same
/// numbers (a `Double`'s shortest round-trip digits, `.0` dropped), the same layout.
/// `JSONWriterTests` holds it to that, byte for byte, on awkward values, random trees and
/// the `proposals.json` of random matchings. It exists because `JSONEncoder` took 0.13–0.17 s
/// for the 2.7 MB `proposals.json` of the shipped data (a reference object and a dictionary
/// per JSON object, every key hashed, then sorted), an eighth of the whole `twinning match`;
/// this writer, with the tables making their own nodes (``JSONTree``), takes about a fifth.
enum JSONWriter {
    /// The JSON text of `value`; a number that is not finite is an `EncodingError`, as
    /// with `JSONEncoder`.
    static func encode<T: Encodable>(_ value: T, pretty: Bool) throws -> [UInt8] {
        let root = try Node.of(value, at: [])
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        root.write(to: &out, pretty: pretty, depth: 0)
        return out
    }

    /// One JSON value. Objects and arrays are shared boxes, so that containers handed out
    /// by the encoder can keep filling them.
    enum Node {
        case null, bool(Bool), string(String)
        case double(Double), float(Float), integer(Int64), unsigned(UInt64)
        case array(ArrayBox), object(ObjectBox)

        /// The node of any encodable value; strings, numbers and the tool's recorded values
        /// directly, everything else through its `encode(to:)`.
        /// `path` is only built when needed: for an error, or for a value that encodes itself.
        static func of<T: Encodable>(_ value: T, at path: @autoclosure () -> [CodingKey]) throws -> Node {
            switch value {
            case let s as String: return .string(s)
            case let x as Double: return try .checked(x, at: path())
            case let k as Int: return .integer(Int64(k))
            case let b as Bool: return .bool(b)
            case let r as RecordedValue: return try .of(recorded: r, at: path())
            case let tree as any JSONWriter.JSONTree: return try tree.jsonNode(at: path())
            default:
                let encoder = TreeEncoder(codingPath: path())
                try value.encode(to: encoder)
                return encoder.node ?? .object(ObjectBox())
            }
        }

        static func of(recorded value: RecordedValue, at path: [CodingKey]) throws -> Node {
            switch value {
            case let .number(x): return try .checked(x, at: path)
            case let .integer(k): return .integer(Int64(k))
            case let .bool(b): return .bool(b)
            case let .text(s): return .string(s)
            case .null: return .null
            case let .list(items): return .array(ArrayBox(try items.map { try .of(recorded: $0, at: path) }))
            case let .map(fields):
                let box = ObjectBox()
                box.entries.reserveCapacity(fields.count)
                for (key, field) in fields { box.entries.append((key, try .of(recorded: field, at: path))) }
                return .object(box)
            }
        }

        static func checked(_ x: Double, at path: @autoclosure () -> [CodingKey]) throws -> Node {
            guard x.isFinite else {
                throw EncodingError.invalidValue(x, .init(codingPath: path(), debugDescription: "\(x) is not a finite number"))
            }
            return .double(x)
        }

        // MARK: Writing

        func write(to out: inout [UInt8], pretty: Bool, depth: Int) {
            switch self {
            case .null: out += "null".utf8
            case let .bool(b): out += (b ? "true" : "false").utf8
            case let .string(s): Self.write(string: s, to: &out)
            case let .double(x): Self.write(number: x.description, to: &out)
            case let .float(x): Self.write(number: x.description, to: &out)
            case let .integer(k): out += String(k).utf8
            case let .unsigned(k): out += String(k).utf8
            case let .array(box):
                out.append(UInt8(ascii: "["))
                for (k, item) in box.items.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    if pretty { Self.newline(&out, depth + 1) }
                    item.write(to: &out, pretty: pretty, depth: depth + 1)
                }
                Self.close(UInt8(ascii: "]"), empty: box.items.isEmpty, &out, pretty: pretty, depth: depth)
            case let .object(box):
                out.append(UInt8(ascii: "{"))
                let entries = box.sorted
                for (k, entry) in entries.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    if pretty { Self.newline(&out, depth + 1) }
                    Self.write(string: entry.key, to: &out)
                    out += (pretty ? " : " : ":").utf8
                    entry.value.write(to: &out, pretty: pretty, depth: depth + 1)
                }
                Self.close(UInt8(ascii: "}"), empty: entries.isEmpty, &out, pretty: pretty, depth: depth)
            }
        }

        /// A container's end; pretty-printed, an empty one still spans a blank line.
        static func close(_ bracket: UInt8, empty: Bool, _ out: inout [UInt8], pretty: Bool, depth: Int) {
            if pretty {
                if empty { out.append(0x0A) }
                newline(&out, depth)
            }
            out.append(bracket)
        }

        static func newline(_ out: inout [UInt8], _ depth: Int) {
            out.append(0x0A)
            out += repeatElement(UInt8(ascii: " "), count: 2 * depth)
        }

        /// Shortest round-trip digits, without a trailing `.0` (`3`, `0.1`, `1e-05`).
        static func write(number text: String, to out: inout [UInt8]) {
            let utf8 = text.utf8
            if utf8.count > 2 && text.hasSuffix(".0") { out += utf8.dropLast(2) } else { out += utf8 }
        }

        /// Quotes and backslashes escaped, control characters as `\n`-style or `\u00XX`
        /// escapes; everything else, `/` included, as its UTF-8 bytes.
        static func write(string: String, to out: inout [UInt8]) {
            out.append(UInt8(ascii: "\""))
            var s = string
            s.withUTF8 { bytes in
                var start = 0
                for (k, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    out += bytes[start..<k]
                    start = k + 1
                    switch byte {
                    case UInt8(ascii: "\""): out += #"\""#.utf8
                    case UInt8(ascii: "\\"): out += #"\\"#.utf8
                    case 0x0A: out += #"\n"#.utf8
                    case 0x0D: out += #"\r"#.utf8
                    case 0x09: out += #"\t"#.utf8
                    case 0x08: out += #"\b"#.utf8
                    case 0x0C: out += #"\f"#.utf8
                    default:
                        let hex = Array("0123456789abcdef".utf8)
                        out += #"\u00"#.utf8
                        out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0xF)])
                    }
                }
                out += bytes[start...]
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// A value that makes its own node, skipping the `Encoder` protocol: the tables, whose
    /// thousands of rows would each cost a container box and generic look-ups.
    protocol JSONTree {
        func jsonNode(at path: [CodingKey]) throws -> Node
    }

    final class ArrayBox {
        var items: [Node]
        init(_ items: [Node] = []) { self.items = items }
    }

    final class ObjectBox {
        var entries: [(key: String, value: Node)] = []

        init(_ entries: [(key: String, value: Node)] = []) { self.entries = entries }

        /// By key (as `.sortedKeys`: Swift's string order, which for the NFC text of the
        /// tool's keys is code point order); a key set twice keeps its last value.
        var sorted: [(key: String, value: Node)] {
            var ordered = entries
            var inOrder = true, twice = false
            for k in ordered.indices.dropFirst() {
                if ordered[k - 1].key > ordered[k].key { inOrder = false; break }
                if ordered[k - 1].key == ordered[k].key { twice = true }
            }
            if !inOrder {
                ordered.sort { $0.key < $1.key }
                twice = ordered.indices.dropFirst().contains { ordered[$0 - 1].key == ordered[$0].key }
            }
            guard twice else { return ordered }
            // Rare (an `encode(to:)` that sets a key twice): the last value set wins.
            var last: [String: Node] = [:]
            for entry in entries { last[entry.key] = entry.value }
            return last.keys.sorted().map { ($0, last[$0]!) }
        }
    }

    /// Builds a ``Node`` from a value's `encode(to:)`.
    final class TreeEncoder: Encoder {
        let codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        var node: Node?

        init(codingPath: [CodingKey]) { self.codingPath = codingPath }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(object: object(), codingPath: codingPath))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer { Unkeyed(array: array(), codingPath: codingPath) }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(encoder: self) }

        /// The object this encoder's value is, made on first use.
        func object() -> ObjectBox {
            if case let .object(box)? = node { return box }
            let box = ObjectBox()
            node = .object(box)
            return box
        }

        func array() -> ArrayBox {
            if case let .array(box)? = node { return box }
            let box = ArrayBox()
            node = .array(box)
            return box
        }
    }

    /// A key for a nested encoder's path where the container has no key of its own.
    struct IndexKey: CodingKey {
        let stringValue: String, intValue: Int?
        init(_ index: Int) { stringValue = "Index \(index)"; intValue = index }
        init?(stringValue: String) { return nil }
        init?(intValue: Int) { self.init(intValue) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: ObjectBox
        let codingPath: [CodingKey]

        mutating func set(_ node: Node, _ key: Key) { object.entries.append((key.stringValue, node)) }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(try .checked(value, at: codingPath + [key]), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            _ = try Node.checked(Double(value), at: codingPath + [key])
            set(.float(value), key)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(.unsigned(UInt64(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.unsigned(UInt64(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.unsigned(UInt64(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.unsigned(UInt64(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.unsigned(value), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { set(try .of(value, at: codingPath + [key]), key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let box = ObjectBox()
            set(.object(box), key)
            return KeyedEncodingContainer(Keyed<NestedKey>(object: box, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            let box = ArrayBox()
            set(.array(box), key)
            return Unkeyed(array: box, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> Encoder { superEncoder(named: "super") }
        mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(named: key.stringValue) }

        private func superEncoder(named name: String) -> Encoder {
            let encoder = ReferencingEncoder(codingPath: codingPath) { [object] node in object.entries.append((name, node)) }
            return encoder
        }
    }

    /// A container that takes one value at a time (an unkeyed or single-value one): every
    /// scalar becomes a node through ``put(_:)``.
    protocol ValueSink {
        /// Where the next value goes, for errors and nested encoders.
        var valuePath: [CodingKey] { get }
        mutating func put(_ node: Node)
    }

    struct Unkeyed: UnkeyedEncodingContainer, ValueSink {
        let array: ArrayBox
        let codingPath: [CodingKey]
        var count: Int { array.items.count }

        var valuePath: [CodingKey] { codingPath + [IndexKey(count)] }
        mutating func put(_ node: Node) { array.items.append(node) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let box = ObjectBox(), at = valuePath
            put(.object(box))
            return KeyedEncodingContainer(Keyed<NestedKey>(object: box, codingPath: at))
        }

        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            let box = ArrayBox(), at = valuePath
            put(.array(box))
            return Unkeyed(array: box, codingPath: at)
        }

        mutating func superEncoder() -> Encoder {
            let index = count, at = valuePath
            put(.null)   // its place, filled when the encoder is done
            return ReferencingEncoder(codingPath: at) { [array] node in array.items[index] = node }
        }
    }

    struct Single: SingleValueEncodingContainer, ValueSink {
        let encoder: TreeEncoder
        var codingPath: [CodingKey] { encoder.codingPath }
        var valuePath: [CodingKey] { codingPath }
        mutating func put(_ node: Node) { encoder.node = node }
    }

    /// A super encoder: a tree encoder whose node goes into its parent's container when it
    /// is released (as `JSONEncoder`'s referencing encoder does).
    final class ReferencingEncoder: Encoder {
        let inner: TreeEncoder
        let store: (Node) -> Void
        var codingPath: [CodingKey] { inner.codingPath }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(codingPath: [CodingKey], store: @escaping (Node) -> Void) {
            inner = TreeEncoder(codingPath: codingPath)
            self.store = store
        }

        deinit { store(inner.node ?? .object(ObjectBox())) }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { inner.container(keyedBy: type) }
        func unkeyedContainer() -> UnkeyedEncodingContainer { inner.unkeyedContainer() }
        func singleValueContainer() -> SingleValueEncodingContainer { inner.singleValueContainer() }
    }
}

extension JSONWriter.ValueSink {
    typealias Node = JSONWriter.Node
    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try .checked(value, at: valuePath)) }
    mutating func encode(_ value: Float) throws {
        _ = try Node.checked(Double(value), at: valuePath)
        put(.float(value))
    }
    mutating func encode(_ value: Int) throws { put(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { put(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { put(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { put(try .of(value, at: valuePath)) }
}
