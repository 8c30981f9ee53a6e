import ArgumentParser
import Foundation
import Twinning

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure how well the scores recover partnerships that really formed.",
        discussion: """
        For every hromada in the truth file, ranks all candidate partners by score and reports where its real \
        partners land: hit@1/5/10/50, mean reciprocal rank, median rank and the share of hromadas with a true \
        partner in their top 10; overall, on the pairs matched by name on both sides, and per partner country; \
        beside three baselines (proximity only, gravity, random order in expectation). The components learnt from \
        known ties (ties, priors) learn from the truth file with each hromada's own ties left out, so a true pair \
        never vouches for itself; the fit of needs and offers is left out (fit_share 0), as the shipped offers are synthetic. \
        Held-out figures, where the priors are refitted without the hromadas measured, come from tune.

        Examples:
          twinning evaluate
          twinning evaluate --weights tuned.yaml --candidates volunteers --out eval
        """)

    @OptionGroup var input: TruthOptions

    @Option(help: "Rank among all partners, or only the volunteers.")
    var candidates: CandidatePool = .all

    @Option(help: ArgumentHelp("Also write metrics.csv, metrics.json and ranks.csv (every true pair's rank by each method) into this new folder.",
                               valueName: "folder"), completion: .directory)
    var out: String?

    func run() throws {
        let start = Date()
        if let out { try OutputFolder.checkAvailable(out) }
        Progress.shared.step("ranking every partner for each hromada of \(input.truth)")
        let (loaded, ties) = try input.load()
        let report = Evaluator.evaluate(hromadas: loaded.hromadas, partners: loaded.partners, truth: ties, weights: loaded.weights,
                                        candidates: candidates == .volunteers ? loaded.partners.volunteers : nil)
        Progress.shared.finish()
        if let training = loaded.weights.trainedOn {
            let trained = Set(training.hromadas)
            let seen = ties.filter { trained.contains(loaded.hromadas.ids[$0.hromada]) }.count
            if seen > 0 {
                FileHandle.standardError.write(Data(("warning: \(seen) of the \(ties.count) true pairs are of hromadas the weights in "
                    + "\(input.weights ?? "") were fitted on (\(training.truth)): for these pairs the figures measure the fit, not how "
                    + "the weights generalise; tune's held-out figures do that\n").utf8))
            }
        }
        if loaded.weights.isDefault && loaded.digests["ties"] == Weights.defaultsFittedOn {
            FileHandle.standardError.write(Data(("warning: the default weights were fitted on this truth file (the shipped ties): the "
                + "figures of `weights` measure the fit, not how the weights generalise; tune's held-out figures do that\n").utf8))
        }
        print(Self.table(report), terminator: "")
        if let out {
            try OutputFolder.write(["metrics.csv": Data(Self.csv(report).utf8), "metrics.json": try JSONOutput.encode(MetricsDocument(report)),
                                    "ranks.csv": Data(Self.ranksCSV(report, ties: ties, loaded: loaded).utf8)],
                                   to: out)
        }
        print(String(format: "%d true pairs of %d hromadas ranked among %d candidates in %.2f s%@",
                     report.overall[0].metrics.pairs, Set(ties.map(\.hromada)).count, report.candidates,
                     Date().timeIntervalSince(start),
                     report.outsideCandidates > 0 ? " (\(report.outsideCandidates) pairs' partners are not candidates)" : ""))
    }

    static func table(_ r: EvaluationReport) -> String {
        let cut = EvaluationReport.cutoffs
        let header = "method".padding(toLength: 20, withPad: " ", startingAt: 0) + "  pairs"
            + cut.map { "  hit@\($0)".leftPad(9) }.joined() + "      MRR  median rank  hromadas hit@10\n"
        func line(_ name: String, _ m: EvaluationReport.Metrics) -> String {
            name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(m.pairs).leftPad(7)
                + cut.map { String(format: "%.3f", m.hitAt[$0] ?? 0).leftPad(9) }.joined()
                + String(format: "%.4f", m.meanReciprocalRank).leftPad(9) + String(format: "%.1f", m.medianRank).leftPad(13)
                + String(format: "%.3f", m.hromadaHitAt10).leftPad(17) + "\n"
        }
        var text = header
        for (method, m) in r.overall { text += line(method, m) }
        if r.nameMatched.first?.metrics.pairs ?? 0 > 0 {
            text += "\npairs matched by name on both sides:\n"
            for (method, m) in r.nameMatched { text += line(method, m) }
        }
        text += "\nby partner country (weights):\n"
        for (country, m) in r.byCountry { text += line(country, m) }
        return text
    }

    struct MetricsRow: Sendable { let group: String, method: String, metrics: EvaluationReport.Metrics }

    static func csv(_ r: EvaluationReport) -> String {
        var columns: [Column<MetricsRow>] = [.text("group") { $0.group }, .text("method") { $0.method }, .integer("pairs") { $0.metrics.pairs }]
        columns += EvaluationReport.cutoffs.map { k in .number("hit_at_\(k)", digits: 4) { $0.metrics.hitAt[k] ?? 0 } }
        columns += [.number("mrr", digits: 5) { $0.metrics.meanReciprocalRank }, .number("median_rank", digits: 1) { $0.metrics.medianRank },
                    .number("hromada_hit_at_10", digits: 4) { $0.metrics.hromadaHitAt10 }]
        let rows = r.overall.map { MetricsRow(group: "all", method: $0.method, metrics: $0.metrics) }
            + r.nameMatched.map { MetricsRow(group: "name-matched", method: $0.method, metrics: $0.metrics) }
            + r.byCountry.map { MetricsRow(group: $0.country, method: "weights", metrics: $0.metrics) }
        return Table(rows, columns: columns).csv()
    }

    struct RankRow { let hromada: String, partner: String, country: String, method: String, rank: Int? }

    /// `ranks.csv`: one row per true pair and method (empty rank: not a candidate).
    static func ranksCSV(_ r: EvaluationReport, ties: [Tie], loaded: LoadedInputs) -> String {
        let columns: [Column<RankRow>] = [.text("hromada_id") { $0.hromada }, .text("partner_id") { $0.partner },
                                          .text("partner_country") { $0.country }, .text("method") { $0.method },
                                          Column("rank") { $0.rank.map { Cell.integer($0) } ?? .missing }]
        let rows = r.pairRanks.flatMap { method, ranks in
            ties.indices.map { t in
                RankRow(hromada: loaded.hromadas.ids[ties[t].hromada], partner: loaded.partners.ids[ties[t].partner],
                        country: loaded.partners.countries[ties[t].partner], method: method, rank: ranks[t])
            }
        }
        return Table(rows, columns: columns).csv()
    }

    struct MetricsDocument: Encodable {
        struct Metrics: Encodable {
            let pairs: Int, hitAt: [String: Double], mrr: Double, medianRank: Double, hromadaHitAt10: Double
            enum CodingKeys: String, CodingKey {
                case pairs, hitAt = "hit_at", mrr, medianRank = "median_rank", hromadaHitAt10 = "hromada_hit_at_10"
            }
            init(_ m: EvaluationReport.Metrics) {
                pairs = m.pairs
                hromadaHitAt10 = JSONOutput.rounded(m.hromadaHitAt10, 5)
                hitAt = Dictionary(uniqueKeysWithValues: m.hitAt.map { (String($0.key), JSONOutput.rounded($0.value, 5)) })
                mrr = JSONOutput.rounded(m.meanReciprocalRank, 6)
                medianRank = m.medianRank
            }
        }
        let candidates: Int
        let overall: [String: Metrics]
        let nameMatched: [String: Metrics]
        let byCountry: [String: Metrics]
        enum CodingKeys: String, CodingKey { case candidates, overall, nameMatched = "name_matched", byCountry = "by_country" }
        init(_ r: EvaluationReport) {
            candidates = r.candidates
            overall = Dictionary(uniqueKeysWithValues: r.overall.map { ($0.method, Metrics($0.metrics)) })
            nameMatched = Dictionary(uniqueKeysWithValues: r.nameMatched.map { ($0.method, Metrics($0.metrics)) })
            byCountry = Dictionary(uniqueKeysWithValues: r.byCountry.map { ($0.country, Metrics($0.metrics)) })
        }
    }
}

