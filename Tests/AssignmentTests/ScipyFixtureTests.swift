import Foundation
import Testing
import TwinningTestSupport
@testable import Assignment

/// Matrices and optimal totals produced once by scipy (`Fixtures/make_fixtures.py`).
@Suite struct ScipyFixtureTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        let file: String, maximize: Bool, total: Double, pairs: Int
        var testDescription: String { file }
    }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "expected", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
    }()

    @Test("same optimal total as scipy.optimize.linear_sum_assignment", arguments: cases)
    func matchesScipy(_ c: Case) throws {
        let name = (c.file as NSString).deletingPathExtension
        let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures")!
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let forbidden = c.maximize ? -Double.infinity : Double.infinity
        let values = lines.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? forbidden } }
        let columns = values.count / lines.count
        let s = try AssignmentProblem(rows: lines.count, columns: columns, values: values,
                                      objective: c.maximize ? .maximize : .minimize).solve()
        #expect(s.pairs.count == c.pairs)
        #expect(abs(s.total - c.total) <= 1e-9 * max(1, abs(c.total)), "\(s.total) vs scipy \(c.total)")
        // Same matrix as Float: same pairs count, total within single-precision rounding.
        let f = try AssignmentProblem(rows: lines.count, columns: columns, values: values.map(Float.init),
                                      objective: c.maximize ? .maximize : .minimize).solve()
        #expect(abs(f.total - c.total) <= 1e-4 * max(1, abs(c.total)))
    }
}
