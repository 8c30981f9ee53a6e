import ArgumentParser
import Assignment
import Foundation
import Twinning

struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a linear assignment problem on a numeric matrix, exactly.",
        discussion: """
        MATRIX is a CSV file without header: one row per line, one number per field. An
        empty field forbids that pair. The matrix may be rectangular either way; the
        smaller side is matched completely unless --threshold makes the matching partial.

        Examples:
          twinning assign costs.csv
          twinning assign scores.csv --maximize --format json
          twinning assign scores.csv --maximize --threshold 0.4
        """)

    @Argument(help: "The matrix file (CSV of numbers, no header; empty cell = forbidden).")
    var matrix: String

    @Flag(help: "Maximise the total instead of minimising it.")
    var maximize = false

    @Option(help: "Leave a row unmatched rather than give it a pair worse than this value.")
    var threshold: Double?

    @Option(help: "Output format: text (row,col lines and the total) or json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let m: NumericMatrix
        do { m = try NumericMatrix.read(path: matrix) } catch { throw CleanExit.failure(error.description) }
        let forbidden = maximize ? -Double.infinity : Double.infinity
        let problem = AssignmentProblem(rows: m.rows, columns: m.columns, values: m.values.map { $0 ?? forbidden },
                                        objective: maximize ? .maximize : .minimize, threshold: threshold)
        let solution: AssignmentSolution
        do { solution = try problem.solve() } catch { throw CleanExit.failure("\(matrix): \(error.description)") }
        switch format {
        case .json:
            let pairs = solution.pairs.map { "[\($0.row),\($0.column)]" }.joined(separator: ",")
            print("{\"total\":\(jsonNumber(solution.total)),\"pairs\":[\(pairs)]}")
        case .text:
            print("row,col")
            for pair in solution.pairs { print("\(pair.row),\(pair.column)") }
            print("total,\(jsonNumber(solution.total))")
        }
    }
}

/// Shortest text that reads back as the same Double (Swift's description), as JSON allows.
func jsonNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
