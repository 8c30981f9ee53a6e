import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch
import SeededRandom

/// The tool's JSON writer against its oracle, Foundation's `JSONEncoder` with the same
/// options: the same bytes, compact and pretty, on awkward values, on random trees and on
/// the documents the tool writes.
@Suite struct JSONWriterTests {
    static func oracle<T: Encodable>(_ value: T, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func expectSame<T: Encodable>(_ value: T, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for pretty in [false, true] {
            let ours = try JSONWriter.encode(value, pretty: pretty), theirs = try oracle(value, pretty: pretty)
            let shown = "\(what), pretty \(pretty):\n\(String(decoding: ours.prefix(400), as: UTF8.self))\n"
                + "JSONEncoder:\n\(String(decoding: theirs.prefix(400), as: UTF8.self))"
            let same = ours == theirs
            #expect(same, Comment(rawValue: shown), sourceLocation: sourceLocation)
        }
    }

    /// Every kind of container and scalar an `encode(to:)` can use.
    struct Awkward: Encodable {
        enum Key: String, CodingKey { case b, a, nested, list, optional, present, float, small, big, sup, z }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode("quote \" backslash \\ slash / tab \t line\n return\r bell \u{7} nul \u{0} \u{1F} del \u{7F} é € 😀 \u{2028}", forKey: .b)
            try c.encode([3.0, 0.1, -0.0, 1e-5, 1e20, 1e16, 12345678901234567.0, 5e-324, .greatestFiniteMagnitude, 100, -2.5e-300], forKey: .a)
            var nested = c.nestedContainer(keyedBy: Key.self, forKey: .nested)
            try nested.encode(Int8.min, forKey: .small)
            try nested.encode(UInt64.max, forKey: .big)
            try nested.encodeNil(forKey: .z)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try list.encode(true)
            try list.encode(Float(0.1))
            try list.encode([String: Int]())
            try list.encode([Int]())
            var inner = list.nestedContainer(keyedBy: Key.self)
            try inner.encode(Int16(-7), forKey: .a)
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode(UInt8(255))
            try deeper.encodeNil()
            try c.encode(Optional<String>.none, forKey: .optional)
            try c.encodeIfPresent(Optional<String>.none, forKey: .z)
            try c.encodeIfPresent(Optional("here"), forKey: .present)
            try c.encode(Float(1.5), forKey: .float)
            try ["zeta": 1, "alpha": 2, "a10": 3, "a9": 4, "B": 5, "": 6, "ä": 7, "é": 8].encode(to: c.superEncoder(forKey: .sup))
        }
    }

    @Test("Escapes, numbers, empty and nested containers, optionals, super encoders: JSONEncoder's bytes")
    func awkwardValues() throws {
        try Self.expectSame(Awkward(), "awkward values")
        try Self.expectSame([[String: [Int]]](), "an empty array")
        try Self.expectSame([String: Double](), "an empty object")
        try Self.expectSame("top-level \"string\"", "a string")
        try Self.expectSame(42.0, "a number")
    }

    @Test("A number that is not finite is an error, as with JSONEncoder")
    func nonFinite() {
        for x in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try JSONWriter.encode(["x": x], pretty: false) }
            #expect(throws: EncodingError.self) { try JSONWriter.encode(RecordedValue.list([.number(x)]), pretty: false) }
            #expect(throws: OutputError.self) { try JSONOutput.encode(RecordedValue.number(x)) }
        }
    }

    @Test("Random recorded values (the tables' cells): JSONEncoder's bytes", arguments: 0..<8)
    func randomTrees(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let alphabet = Array("aZ_9 /\\\"\n\t\u{0}\u{1}\u{1F}é€😀<>&\u{2028}")
        func text() -> String { String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }) }
        func number() -> Double {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return Double(Int.random(in: -1000...1000, using: &random))
            case 1: return Double(Int.random(in: -100_000...100_000, using: &random)) / 1000
            case 2: return random.nextUnit() * pow(10, Double(Int.random(in: -30...30, using: &random)))
            default:
                let x = Double(bitPattern: random.next())
                return x.isFinite ? x : 0
            }
        }
        func value(_ depth: Int) -> RecordedValue {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
            case 0: return .number(number())
            case 1: return .integer(Int.random(in: Int.min...Int.max, using: &random))
            case 2: return .bool(random.nextUnit() < 0.5)
            case 3: return .text(text())
            case 4: return .null
            case 5: return .list((0..<Int.random(in: 0...5, using: &random)).map { _ in value(depth + 1) })
            default:
                var fields: [String: RecordedValue] = [:]
                for _ in 0..<Int.random(in: 0...6, using: &random) { fields[text()] = value(depth + 1) }
                return .map(fields)
            }
        }
        for k in 0..<200 { try Self.expectSame(value(0), "seed \(seed), tree \(k)") }
    }

    @Test("proposals.json of random matchings (every field, locked pairs, warnings): JSONEncoder's bytes")
    func proposalDocuments() throws {
        var compared = 0
        for seed in 0..<40 where compared < 12 {
            let instance = try MatcherTests.instance(seed: UInt64(seed))
            // Some random rules cannot be met; those matchings write nothing.
            guard let result = try? Matcher.match(instance, alternatives: 3) else { continue }
            let table = ProposalTable(result: result, instance: instance,
                                      inputs: ["hromadas": InputRecord(path: "h \"quoted\".csv", sha256: String(repeating: "ab", count: 32))],
                                      attribution: "Contains data © EuroGeographics & others <see ATTRIBUTION.txt>")
            try Self.expectSame(ProposalTable.Document(table), "seed \(seed)")
            #expect(try table.json() == Data(try Self.oracle(ProposalTable.Document(table), pretty: false) + [0x0A]))
            compared += 1
        }
        #expect(compared == 12)
    }
}
