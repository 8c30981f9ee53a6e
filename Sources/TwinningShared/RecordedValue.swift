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
