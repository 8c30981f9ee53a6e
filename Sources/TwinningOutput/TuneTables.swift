import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching
import TwinningResearch

/// The files `tune --out` writes: the folds, the summary, every held-out rank and the
/// stability, as CSV (for pandas and spreadsheets) and as one JSON.
public struct TuneTables {
    struct FoldRow { let fold: TuneReport.Fold, candidate: TuneReport.Candidate }
    struct RankRow { let hromada: String, partner: String, country: String, fold: Int, method: TuneMethod, rank: Int }

    public let report: TuneReport, truth: [Tie], loaded: LoadedInputs, stability: [Stability.Row], ablation: [AblationRow]

    public init(report: TuneReport, truth: [Tie], loaded: LoadedInputs, stability: [Stability.Row], ablation: [AblationRow] = []) {
        self.report = report; self.truth = truth; self.loaded = loaded; self.stability = stability; self.ablation = ablation
    }

    static let ablationColumns: [Column<AblationRow>] = [.text("left_out") { $0.family },
        .text("components") { $0.components.map(\.rawValue).joined(separator: " ") },
        .number("hromada_hit_at_10_mean", digits: 4) { $0.hromadaHitAt10.mean }, .number("hromada_hit_at_10_sd", digits: 4) { $0.hromadaHitAt10.sd },
        .number("hit_at_10_mean", digits: 4) { $0.hitAt10.mean },
        .number("gain_mean", digits: 4) { $0.gain.reduce(0, +) / Double(max(1, $0.gain.count)) },
        .integer("folds_gaining") { $0.gain.filter { $0 > 0 }.count }, .integer("folds_losing") { $0.gain.filter { $0 < 0 }.count }]

    /// The ablation table as `tune --ablation` prints it.
    public static func ablationText(_ rows: [AblationRow]) -> String {
        var text = "ablation: the model refitted on each fold without one family of components; gain = what the family adds\n"
            + "left out".padding(toLength: 20, withPad: " ", startingAt: 0) + "hromadas hit@10".leftPad(17) + "hit@10".leftPad(8)
            + "gain".leftPad(8) + "   folds gaining / losing\n"
        for (k, r) in rows.enumerated() {
            let gain = r.gain.reduce(0, +) / Double(max(1, r.gain.count))
            text += (k == 0 ? "(nothing)" : r.family).padding(toLength: 20, withPad: " ", startingAt: 0)
                + (Decimals.fixed(r.hromadaHitAt10.mean, 3) + " ± " + Decimals.fixed(r.hromadaHitAt10.sd, 3)).leftPad(17)
                + Decimals.fixed(r.hitAt10.mean, 3).leftPad(8)
                + (k == 0 ? "" : ((gain > 0 ? "+" : "") + Decimals.fixed(gain, 3)).leftPad(8)
                   + "   \(r.gain.filter { $0 > 0 }.count) / \(r.gain.filter { $0 < 0 }.count)") + "\n"
        }
        return text
    }

    static let foldColumns: [Column<FoldRow>] = [.integer("fold") { $0.fold.index }, .text("method") { $0.candidate.method.rawValue },
        .integer("train_hromadas") { $0.fold.trainHromadas }, .integer("test_hromadas") { $0.fold.testHromadas },
        .number("train_mrr", digits: 5) { $0.candidate.trainMRR }]
        + EvaluationReport.cutoffs.map { k in .number("hit_at_\(k)", digits: 4) { $0.candidate.heldOut.hitAt[k] ?? 0 } }
        + [.number("mrr", digits: 5) { $0.candidate.heldOut.meanReciprocalRank }, .number("median_rank", digits: 1) { $0.candidate.heldOut.medianRank },
           .number("hromada_hit_at_10", digits: 4) { $0.candidate.heldOut.hromadaHitAt10 },
           .number("name_matched_hit_at_10", digits: 4) { $0.candidate.heldOutNameMatched.hitAt[10] ?? 0 },
           .number("name_matched_hromada_hit_at_10", digits: 4) { $0.candidate.heldOutNameMatched.hromadaHitAt10 }]
        + ScoreComponent.allCases.map { c in Column("weight_\(c.rawValue)") { $0.candidate.weights.map { Cell.number($0[c], digits: 4) } ?? .missing } }
        + [Column("gravity_size") { $0.candidate.weights.map { Cell.number($0[.gravitySize], digits: 2) } ?? .missing }]

    static let summaryColumns: [Column<TuneReport.Summary>] = [.text("method") { $0.method.rawValue },
        .number("train_mrr_mean", digits: 5) { $0.trainMRR.mean }, .number("train_mrr_sd", digits: 5) { $0.trainMRR.sd },
        .number("mrr_mean", digits: 5) { $0.mrr.mean }, .number("mrr_sd", digits: 5) { $0.mrr.sd },
        .number("hit_at_10_mean", digits: 4) { $0.hitAt10.mean }, .number("hit_at_10_sd", digits: 4) { $0.hitAt10.sd },
        .number("median_rank_mean", digits: 1) { $0.medianRank.mean }, .number("median_rank_sd", digits: 1) { $0.medianRank.sd },
        .number("hromada_hit_at_10_mean", digits: 4) { $0.hromadaHitAt10.mean }, .number("hromada_hit_at_10_sd", digits: 4) { $0.hromadaHitAt10.sd },
        .number("name_matched_hit_at_10_mean", digits: 4) { $0.nameMatchedHitAt10.mean },
        .number("name_matched_hromada_hit_at_10_mean", digits: 4) { $0.nameMatchedHromadaHitAt10.mean },
        .number("pooled_mrr", digits: 5) { $0.pooled.meanReciprocalRank }, .number("pooled_hit_at_10", digits: 4) { $0.pooled.hitAt[10] ?? 0 },
        .number("pooled_median_rank", digits: 1) { $0.pooled.medianRank }]

    static let rankColumns: [Column<RankRow>] = [.text("hromada_id") { $0.hromada }, .text("partner_id") { $0.partner },
        .text("partner_country") { $0.country }, .integer("fold") { $0.fold }, .text("method") { $0.method.rawValue }, .integer("rank") { $0.rank }]

    static let stabilityColumns: [Column<Stability.Row>] = [.text("component") { $0.component.rawValue },
        .number("change", digits: 2) { $0.change }, .number("share_kept", digits: 4) { $0.shareKept }]

    /// The summary as `tune` prints it: each method's mean ± sd over the folds, over every
    /// held-out pair and over those matched by name.
    public static func text(_ r: TuneReport) -> String {
        func spread(_ s: TuneReport.Spread, _ digits: Int) -> String { Decimals.fixed(s.mean, digits) + " ± " + Decimals.fixed(s.sd, digits) }
        var text = "method".padding(toLength: 20, withPad: " ", startingAt: 0) + "held-out MRR".leftPad(17)
            + "hit@1".leftPad(15) + "hit@10".leftPad(15) + "hit@100".leftPad(15) + "median rank".leftPad(15)
            + "hromadas hit@10".leftPad(17) + "\n"
        for s in r.summaries {
            text += s.method.title.padding(toLength: 20, withPad: " ", startingAt: 0) + spread(s.mrr, 4).leftPad(17)
                + spread(s.hitAt1, 3).leftPad(15) + spread(s.hitAt10, 3).leftPad(15) + spread(s.hitAt100, 3).leftPad(15)
                + spread(s.medianRank, 0).leftPad(15) + spread(s.hromadaHitAt10, 3).leftPad(17) + "\n"
        }
        text += foldTable(r)
        text += "\npairs matched by name on both sides:\n" + "method".padding(toLength: 20, withPad: " ", startingAt: 0)
            + "hit@10".leftPad(17) + "hromadas hit@10".leftPad(17) + "\n"
        for s in r.summaries {
            text += s.method.title.padding(toLength: 20, withPad: " ", startingAt: 0) + spread(s.nameMatchedHitAt10, 3).leftPad(17)
                + spread(s.nameMatchedHromadaHitAt10, 3).leftPad(17) + "\n"
        }
        let calibration = r.calibration, held = calibration.reduce(0, +)
        if held > 0 {
            text += "\ncalibration of the likelihood (model): share of the \(held) held-out true pairs in each tenth\n"
                + "of the likelihood made of their fold's training pairs (a tenth in each when calibrated):\n"
                + "likelihood" + (0..<10).map { "\($0 * 10)–\($0 * 10 + 10)%".leftPad(8) }.joined() + "\n"
                + "share     " + calibration.map { Decimals.fixed(Double($0) / Double(held), 3).leftPad(8) }.joined() + "\n"
        }
        return text
    }

    /// Hromadas hit@10 per fold of the methods that rank, the model against the old
    /// logit fold by fold and hromada by hromada, and how alike the fold models rank.
    static func foldTable(_ r: TuneReport) -> String {
        let shown = r.summaries.map(\.method).filter { $0 != .random && $0 != .defaults }
        var text = "\nhromadas hit@10 per fold:\n" + "fold".padding(toLength: 6, withPad: " ", startingAt: 0)
            + shown.map { $0.title.leftPad(18) }.joined() + "\n"
        for f in r.folds {
            text += "\(f.index)".padding(toLength: 6, withPad: " ", startingAt: 0)
                + shown.map { m in Decimals.fixed(f.candidates.first { $0.method == m }!.heldOut.hromadaHitAt10, 3).leftPad(18) }.joined() + "\n"
        }
        if let c = r.comparison(.model, against: .logit) {
            func signed(_ x: Double, _ digits: Int) -> String { (x > 0 ? "+" : "") + Decimals.fixed(x, digits) }
            text += "\nmodel − old logit, fold by fold:\n"
                + "hromadas hit@10 " + c.hromadaHitAt10.map { signed($0, 3).leftPad(8) }.joined()
                + "   better on \(c.better) of \(c.hromadaHitAt10.count), worse on \(c.worse)\n"
                + "hit@10          " + c.hitAt10.map { signed($0, 3).leftPad(8) }.joined() + "\n"
                + "MRR             " + c.mrr.map { signed($0, 4).leftPad(8) }.joined() + "\n"
                + "hromadas with a true partner in the top 10 of one only: model \(c.onlyMethod), old logit \(c.onlyBaseline) "
                + "(sign test, two-sided p = \(Decimals.fixed(c.signTestP, 3)))\n"
        }
        let agreeing = [TuneMethod.logit, .model].compactMap { m in r.agreement[m].map { (m, $0) } }
        if !agreeing.isEmpty {
            text += "\nbetween models fitted on different folds, the same hromada's lists:\n"
            for (m, a) in agreeing {
                text += m.title.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + "top 10 overlap \(Decimals.fixed(a.top10, 2)), same first partner \(Decimals.fixed(a.top1, 2))\n"
            }
        }
        return text
    }

    struct CalibrationRow { let decile: Int, pairs: Int, share: Double }
    static let calibrationColumns: [Column<CalibrationRow>] = [
        .number("likelihood_from", digits: 1) { Double($0.decile) / 10 }, .number("likelihood_to", digits: 1) { Double($0.decile + 1) / 10 },
        .integer("held_out_pairs") { $0.pairs }, .number("share", digits: 4) { $0.share }]

    public func files() throws -> [String: Data] {
        let folds = report.folds.flatMap { f in f.candidates.map { FoldRow(fold: f, candidate: $0) } }
        let ranks = TuneMethod.allCases.filter { report.heldOutRanks[$0] != nil }.flatMap { method in
            truth.indices.map { t in
                RankRow(hromada: loaded.hromadas.ids[truth[t].hromada], partner: loaded.partners.ids[truth[t].partner],
                        country: loaded.partners.countries[truth[t].partner], fold: report.foldOfPair[t] + 1, method: method,
                        rank: report.heldOutRanks[method]![t])
            }
        }
        var files: [String: Data] = [
            "folds.csv": Data(Table(folds, columns: Self.foldColumns).csv().utf8),
            "summary.csv": Data(Table(report.summaries, columns: Self.summaryColumns).csv().utf8),
            "ranks.csv": Data(Table(ranks, columns: Self.rankColumns).csv().utf8),
        ]
        let held = max(1, report.calibration.reduce(0, +))
        let calibration = report.calibration.enumerated().map { CalibrationRow(decile: $0, pairs: $1, share: Double($1) / Double(held)) }
        files["calibration.csv"] = Data(Table(calibration, columns: Self.calibrationColumns).csv().utf8)
        if !ablation.isEmpty { files["ablation.csv"] = Data(Table(ablation, columns: Self.ablationColumns).csv().utf8) }
        if !stability.isEmpty { files["stability.csv"] = Data(Table(stability, columns: Self.stabilityColumns).csv().utf8) }
        struct Document: Encodable {
            let written: String, folds: TableRecords<FoldRow>, summary: TableRecords<TuneReport.Summary>, stability: [Stability.Row]
            let weights: [String: Double]
        }
        files["tune.json"] = try JSONOutput.encode(Document(
            written: report.written.rawValue, folds: Table(folds, columns: Self.foldColumns).records,
            summary: Table(report.summaries, columns: Self.summaryColumns).records, stability: stability,
            weights: Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, report.weights[$0]) })))
        return files
    }
}

