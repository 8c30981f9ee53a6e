import Foundation

/// A value as outputs record it: JSON-shaped, encoded with sorted keys.
public indirect enum RecordedValue: Sendable, Encodable, Equatable {
    case number(Double), integer(Int), bool(Bool), text(String), list([RecordedValue]), map([String: RecordedValue]), null

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .number(x): try c.encode(x)
        case let .integer(k): try c.encode(k)
        case let .bool(b): try c.encode(b)
        case let .text(s): try c.encode(s)
        case let .list(l): try c.encode(l)
        case let .map(m): try c.encode(m)
        case .null: try c.encodeNil()
        }
    }
}

extension RecordedValue: Decodable {
    /// Any JSON value, as read: a whole number as ``integer(_:)``, any other as ``number(_:)``.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let k = try? c.decode(Int.self) { self = .integer(k) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .text(s) }
        else if let l = try? c.decode([RecordedValue].self) { self = .list(l) }
        else { self = .map(try c.decode([String: RecordedValue].self)) }
    }
}
