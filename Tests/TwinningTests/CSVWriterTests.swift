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

@Suite struct CSVWriterTests {
    /// C's own formatter, the oracle for `CSVWriter.fixed`.
    static func printf(_ x: Double, _ digits: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
            _ = withVaList([Int32(digits), x]) { vsnprintf(buffer.baseAddress!, 512, "%.*f", $0) }
            return String(cString: buffer.baseAddress!)
        }
    }

    @Test("fixed decimals are what printf(\"%.*f\") prints, ties and signs included", arguments: 0..<4)
    func fixedMatchesPrintf(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -0.125, 1e-300, -1e-320, 5e-324,
                                0.00005, 0.00015, 999_999.99995, 1e15 - 1, 123.456, .ulpOfOne]
        for _ in 0..<20_000 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: values.append(random.nextUnit() * 2 - 1)                                   // scores, components
            case 1: values.append(Double(Int.random(in: -100_000...100_000, using: &random)) / 1024)  // exact binary ties
            case 2: values.append((random.nextUnit() - 0.5) * pow(10, Double(Int.random(in: -12...14, using: &random))))
            default:                                                                              // any bit pattern
                let bits = Double(bitPattern: random.next())
                values.append(bits.isFinite && bits.magnitude < 1e15 ? bits : random.nextUnit() * 5000)
            }
        }
        for x in values where x.isFinite {
            for digits in 0...9 {
                let ours = Decimals.fixed(x, digits), c = Self.printf(x, digits)
                if ours != c { Issue.record("fixed(\(x), \(digits)) = \(ours), printf gives \(c)"); return }
            }
        }
    }

    @Test("values fixed() does not handle in integers still print as printf does")
    func fixedFallback() {
        for x in [1e15, -3e20, .infinity, -.infinity] { #expect(Decimals.fixed(x, 2) == Self.printf(x, 2)) }
    }

    @Test("cells: quoted when they hold commas, quotes or line breaks; formulas neutralised; numbers kept")
    func cells() {
        #expect(CSVWriter.cell("Kyiv") == "Kyiv")
        #expect(CSVWriter.cell("a,b") == "\"a,b\"")
        #expect(CSVWriter.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.cell("two\nlines") == "\"two\nlines\"")
        #expect(CSVWriter.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVWriter.cell("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVWriter.cell("-0.0123") == "-0.0123")
        #expect(CSVWriter.cell("-x") == "'-x")
        #expect(CSVWriter.cell("Łódź") == "Łódź")
    }

    @Test("a name of two million quotes and commas goes through the writer and the reader unchanged (both linear in its length)")
    func quotesRoundTrip() throws {
        let name = String(repeating: "a,\"\"b\"", count: 400_000) + "Łódź \""
        let text = CSVWriter.text([[name, "x"]], header: ["name", "other"])
        let table = try CSVTable.parse(Data(text.utf8), file: "t.csv")
        #expect(table.count == 1 && table.string(0, 0) == name && table.string(0, 1) == "x")
        #expect(CSVWriter.cell("say \"hi\", twice") == "\"say \"\"hi\"\", twice\"")
    }
}
