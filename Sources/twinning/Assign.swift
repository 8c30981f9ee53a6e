import ArgumentParser
import Assignment
import Foundation
import Twinning

struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a linear assignment problem on a numeric matrix, exactly.",
        discussion: """
        MATRIX is a CSV file without header: one row per line, one decimal number per field. An empty field forbids \
        that pair. The matrix may be rectangular either way; the smaller side is matched completely unless \
        --threshold makes the matching partial.

        Examples:
          twinning assign costs.csv
          twinning assign scores.csv --maximize --format json
          twinning assign scores.csv --maximize --threshold 0.4
        """)

    @Argument(help: ArgumentHelp("The matrix file (CSV of numbers, no header; empty cell = forbidden).", valueName: "matrix"), completion: .file(extensions: ["csv"]))
    var matrix: String

    @Flag(help: "Maximise the total instead of minimising it.")
    var maximize = false

    @Option(help: ArgumentHelp("Leave a row unmatched rather than give it a pair worse than this value (a finite decimal number).",
                               valueName: "x"))
    var threshold: DecimalValue?

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    struct Result: Encodable {
        let total: Double
        let pairs: [[Int]]
    }

    func run() throws {
        let m = try NumericMatrix.read(path: matrix)
        let forbidden = maximize ? -Double.infinity : Double.infinity
        let problem = AssignmentProblem(rows: m.rows, columns: m.columns, values: m.values.map { $0 ?? forbidden },
                                        objective: maximize ? .maximize : .minimize, threshold: threshold?.value)
        let solution: AssignmentSolution
        do { solution = try problem.solve() } catch { throw Failure("\(matrix): \(error.description)", .badInput) }
        guard solution.total.isFinite else {
            throw Failure("\(matrix): the total overflows a double-precision number; scale the values down", .badInput)
        }
        switch format {
        case .json:
            let data = try JSONOutput.encode(Result(total: solution.total, pairs: solution.pairs.map { [$0.row, $0.column] }), pretty: false)
            FileHandle.standardOutput.write(data)
        case .text:
            print("row,col")
            for pair in solution.pairs { print("\(pair.row),\(pair.column)") }
            print("total,\(Self.number(solution.total))")
        }
    }

    /// The shortest text that reads back as the same number.
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
}
