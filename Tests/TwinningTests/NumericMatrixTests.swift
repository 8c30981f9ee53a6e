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

@Suite struct NumericMatrixTests {
    @Test("reads numbers, empty cells are forbidden, BOM and CRLF accepted")
    func reads() throws {
        let m = try NumericMatrix.parse(Data("\u{FEFF}1,2.5,\r\n-3,,4e2\r\n".utf8), file: "m.csv")
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m.values == [1, 2.5, nil, -3, nil, 400])
    }

    @Test("in a one-column matrix an empty line is an empty (forbidden) cell, not a blank line: rows keep their places")
    func oneColumnEmptyCells() throws {
        let m = try NumericMatrix.parse(Data("\n2\n1\n".utf8), file: "m.csv")
        #expect(m.rows == 3 && m.columns == 1 && m.values == [nil, 2, 1])
        let middle = try NumericMatrix.parse(Data("3\r\n\r\n\r\n1\r\n\n\n".utf8), file: "m.csv")
        #expect(middle.rows == 4 && middle.values == [3, nil, nil, 1], "trailing blank lines end the file")
        // Wider matrices mark an empty cell with a comma, and a blank line stays blank.
        let wide = try NumericMatrix.parse(Data("1,2\n\n3,\n".utf8), file: "m.csv")
        #expect(wide.rows == 2 && wide.values == [1, 2, 3, nil])
    }

    @Test("every problem is reported with line and column, in one pass")
    func errors() {
        do {
            _ = try NumericMatrix.parse(Data("1,2,3\n4,x,nan\n\n7,0x10\n1,\"2,3\",4\n".utf8), file: "m.csv")
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.description) == [
                "m.csv:2:2: expected a finite decimal number or an empty cell (forbidden pair), found \"x\"",
                "m.csv:2:3: expected a finite decimal number or an empty cell (forbidden pair), found \"nan\"",
                "m.csv:4: has 2 fields, expected 3 like line 1",
                "m.csv:5:2: expected a finite decimal number or an empty cell (forbidden pair), found \"2,3\"",
            ])
        }
    }

    @Test("empty file and invalid UTF-8 are errors")
    func emptyAndEncoding() {
        #expect(throws: InputErrors.self) { try NumericMatrix.parse(Data("\n\n".utf8), file: "e.csv") }
        #expect(throws: InputErrors.self) { try NumericMatrix.parse(Data([0xFF, 0xFE, 0x31]), file: "e.csv") }
    }

    @Test("the fast decimal path reads exactly what strtod reads", arguments: 0..<4)
    func fastDecimals(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...15, using: &random), decimals = Int.random(in: 0...min(digits, 12), using: &random)
            var text = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            if decimals > 0 { text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals)) }
            if Bool.random(using: &random) { text = "-" + text }
            let fast = Array(text.utf8).withUnsafeBufferPointer { DecimalNumber.fastParse($0.baseAddress!, $0.count) }
            #expect(fast == strtod(text, nil), "\(text)")
        }
        for text in ["1.", "+1", "1e3", "0x10", "nan", "", "-", ".", "1234567890123456"] {
            let fast = Array(text.utf8).withUnsafeBufferPointer { DecimalNumber.fastParse($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            #expect(fast == nil, "\(text) should go to strtod")
        }
    }
}
