import ArgumentParser
import Foundation
import Twinning

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure how well the scores recover partnerships that really formed.",
        discussion: """
        For every hromada in the truth file, ranks all candidate partners by score and
        reports where its real partners land: hit@1/5/10/50, mean reciprocal rank and
        median rank, overall and per partner country, beside two baselines (proximity
        only; random order, in expectation). The ties component is left out so the true
        pairs cannot vouch for themselves.

        Examples:
          twinning evaluate
          twinning evaluate --weights tuned.yaml --candidates volunteers --out eval
        """)

    @OptionGroup var input: TruthOptions

    @Option(help: "Rank among all partners, or only the volunteers.")
    var candidates: Pool = .all

    @Option(help: "Also write metrics.csv and metrics.json into this new folder.")
    var out: String?

    enum Pool: String, ExpressibleByArgument { case all, volunteers }

    func run() throws {
        let start = Date()
        let (h, p, ties, w) = try input.load()
        let report = Evaluator.evaluate(hromadas: h, partners: p, truth: ties, weights: w,
                                        candidates: candidates == .volunteers ? p.volunteers : nil)
        let table = Self.table(report)
        print(table.text, terminator: "")
        if let out {
            let files = ["metrics.csv": table.csv, "metrics.json": Self.json(report)]
            do { try AtomicFolder.write(files, to: out) } catch { throw CleanExit.failure("\(error)") }
        }
        print(String(format: "%d true pairs of %d hromadas ranked among %d candidates in %.2f s%@",
                     report.overall[0].metrics.pairs, Set(ties.map(\.hromada)).count, report.candidates,
                     Date().timeIntervalSince(start),
                     report.outsideCandidates > 0 ? " (\(report.outsideCandidates) pairs' partners are not candidates)" : ""))
    }

    static func table(_ r: EvaluationReport) -> (text: String, csv: String) {
        let cut = EvaluationReport.cutoffs
        var text = "method".padding(toLength: 20, withPad: " ", startingAt: 0) + "  pairs"
            + cut.map { "  hit@\($0)".leftPad(9) }.joined() + "      MRR  median rank\n"
        var csv = "group,method,pairs," + cut.map { "hit_at_\($0)" }.joined(separator: ",") + ",mrr,median_rank\n"
        func line(_ name: String, _ m: EvaluationReport.Metrics) -> String {
            name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(m.pairs).leftPad(7)
                + cut.map { String(format: "%.3f", m.hitAt[$0] ?? 0).leftPad(9) }.joined()
                + String(format: "%.4f", m.meanReciprocalRank).leftPad(9) + String(format: "%.1f", m.medianRank).leftPad(13) + "\n"
        }
        func row(_ group: String, _ method: String, _ m: EvaluationReport.Metrics) -> String {
            "\(group),\(method),\(m.pairs)," + cut.map { String(format: "%.4f", m.hitAt[$0] ?? 0) }.joined(separator: ",")
                + String(format: ",%.5f,%.1f\n", m.meanReciprocalRank, m.medianRank)
        }
        for (method, m) in r.overall { text += line(method, m); csv += row("all", method, m) }
        text += "\nby partner country (weights):\n"
        for (country, m) in r.byCountry { text += line(country, m); csv += row(country, "weights", m) }
        return (text, csv)
    }

    static func json(_ r: EvaluationReport) -> String {
        func m(_ x: EvaluationReport.Metrics) -> String {
            let hits = EvaluationReport.cutoffs.map { "\"hit_at_\($0)\":\(String(format: "%.5f", x.hitAt[$0] ?? 0))" }.joined(separator: ",")
            return "{\"pairs\":\(x.pairs),\(hits),\"mrr\":\(String(format: "%.6f", x.meanReciprocalRank)),\"median_rank\":\(x.medianRank)}"
        }
        let overall = r.overall.map { "\"\($0.method)\":\(m($0.metrics))" }.joined(separator: ",")
        let countries = r.byCountry.map { "\"\($0.country)\":\(m($0.metrics))" }.joined(separator: ",")
        return "{\"candidates\":\(r.candidates),\"overall\":{\(overall)},\"by_country\":{\(countries)}}\n"
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
