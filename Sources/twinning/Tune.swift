import ArgumentParser
import Foundation
import LinearAlgebra
import Twinning

struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit weights to real partnerships; report cross-validated metrics and stability.",
        discussion: """
        Shuffles the hromadas of the true pairs (seeded) into folds. For each fold, every method learns from the \
        other folds' pairs only (the priors and the ties component count the training pairs alone) and is measured \
        on the fold's, among every partner: hit@10, MRR, median rank and the share of hromadas with a true partner in \
        their top 10, as mean ± standard deviation over the folds, over all pairs and over those matched by name. \
        The methods: random order, proximity only, the weights as given, gravity (its size exponent chosen on the \
        training pairs) and a conditional logit over every component but the offers (Newton steps, LAPACK solves). \
        The offers never enter: they are synthetic in the shipped data. The --model method is then fitted on every \
        pair and written as a weights file, which records the truth file, its SHA-256 and the hromadas it was fitted \
        on (evaluate warns when measuring those). Stability: the share of `match` proposals that survive a ±10 % \
        change of each weight.

        Examples:
          twinning tune
          twinning tune --folds 10 --seed 7 --write-weights my-weights.yaml --out tuning --no-stability
        """)

    @OptionGroup var input: TruthOptions
    @Option(help: ArgumentHelp("Seed of the folds.", valueName: "n")) var seed: UInt64 = 2022
    @Option(help: ArgumentHelp("The fitted method written as weights: logit or gravity.", valueName: "method"))
    var model: TuneMethod = .logit
    @Option(help: ArgumentHelp("Folds of the cross-validation (each hromada is held out in one).", valueName: "k")) var folds = 5
    @Option(help: ArgumentHelp("Where to write the chosen weights (a new file; see --force).", valueName: "file"), completion: .file())
    var writeWeights = "tuned-weights.yaml"
    @Flag(help: "Replace the weights file if it exists (the new one is renamed over it whole).") var force = false
    @Option(help: ArgumentHelp("Also write the tables (CSV and JSON) into this new folder.", valueName: "folder"), completion: .directory)
    var out: String?
    @Flag(help: "Skip the stability table (ten extra matchings).") var noStability = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be 2 or more") }
    }

    func run() throws {
        let start = Date()
        // The logit is fitted with LAPACK: a missing library is said now, with what to install.
        if let problem = BLASRuntime.prepareLAPACK() { throw Failure(problem, .unavailable) }
        try OutputFile.checkAvailable(writeWeights, replace: force)
        if let out { try OutputFolder.checkAvailable(out) }
        Progress.shared.step("scoring every partner for the hromadas of \(input.truth)")
        let (loaded, truth) = try input.load()
        let report = Tuner.tune(hromadas: loaded.hromadas, partners: loaded.partners, truth: truth, base: loaded.weights,
                                seed: seed, folds: folds, write: model) { done, total in
            let elapsed = Date().timeIntervalSince(start)
            Progress.shared.step("tuning: \(done) of \(total) fits done, about \(Int((elapsed / Double(done) * Double(total - done)).rounded())) s left")
        }
        Progress.shared.finish()
        let hromadas = Set(truth.map(\.hromada))
        print("\(report.folds.count)-fold cross-validation by hromada: \(truth.count) true pairs of \(hromadas.count) hromadas "
              + "(about \(hromadas.count / report.folds.count) held out per fold), ranked among \(loaded.partners.count) partners")
        print(Self.table(report), terminator: "")
        if loaded.weights.isDefault && loaded.digests["ties"] == Weights.defaultsFittedOn {
            print("(the default weights were fitted on these very pairs: \"\(TuneMethod.defaults.title)\" is not held out)")
        }

        var weights = report.weights
        weights.trainedOn = Weights.Training(truth: input.truth, sha256: loaded.digests["ties"] ?? "",
                                             hromadas: hromadas.map { loaded.hromadas.ids[$0] }.sorted())
        let summary = report.summaries.first { $0.method == report.written }!
        let yaml = "# twinning tune, seed \(seed), \(report.folds.count) folds: \(report.written.title), fitted on all "
            + "\(truth.count) true pairs; held-out hromadas hit@10 "
            + String(format: "%.3f ± %.3f", summary.hromadaHitAt10.mean, summary.hromadaHitAt10.sd)
            + ", MRR " + String(format: "%.4f ± %.4f", summary.mrr.mean, summary.mrr.sd) + " across folds\n" + weights.yaml
        try OutputFile.write(Data(yaml.utf8), to: writeWeights, replace: force)
        print("\(report.written.title), fitted on every pair → written to \(writeWeights): "
              + Tuner.components.map { "\($0.rawValue) \(Decimals.fixed(weights[$0], 4))" }.joined(separator: ", ")
              + ", gravity_size \(Decimals.fixed(weights[.gravitySize], 2))")
        let stability = noStability ? [] : try stability(loaded)
        if let out {
            try OutputFolder.write(TuneTables(report: report, truth: truth, loaded: loaded, stability: stability).files(), to: out)
            print("tables written to \(out)")
        }
        print(String(format: "done in %.1f s", Date().timeIntervalSince(start)))
    }

    static func table(_ r: TuneReport) -> String {
        func spread(_ s: TuneReport.Spread, _ digits: Int) -> String { Decimals.fixed(s.mean, digits) + " ± " + Decimals.fixed(s.sd, digits) }
        var text = "method".padding(toLength: 20, withPad: " ", startingAt: 0) + "train MRR".leftPad(17) + "held-out MRR".leftPad(17)
            + "hit@10".leftPad(15) + "median rank".leftPad(15) + "hromadas hit@10".leftPad(17) + "\n"
        for s in r.summaries {
            text += s.method.title.padding(toLength: 20, withPad: " ", startingAt: 0) + spread(s.trainMRR, 4).leftPad(17)
                + spread(s.mrr, 4).leftPad(17) + spread(s.hitAt10, 3).leftPad(15) + spread(s.medianRank, 0).leftPad(15)
                + spread(s.hromadaHitAt10, 3).leftPad(17) + "\n"
        }
        text += "\npairs matched by name on both sides:\n" + "method".padding(toLength: 20, withPad: " ", startingAt: 0)
            + "hit@10".leftPad(17) + "hromadas hit@10".leftPad(17) + "\n"
        for s in r.summaries {
            text += s.method.title.padding(toLength: 20, withPad: " ", startingAt: 0) + spread(s.nameMatchedHitAt10, 3).leftPad(17)
                + spread(s.nameMatchedHromadaHitAt10, 3).leftPad(17) + "\n"
        }
        return text
    }

    /// The share of `match` proposals kept when one weight changes by ±10 %.
    func stability(_ loaded: LoadedInputs) throws -> [TuneTables.Stability] {
        let base = loaded.weights, instance = loaded.instance()
        print("\nstability of `match` proposals (share kept when one weight changes by ±10 %):")
        Progress.shared.step("matching with the weights as given")
        let kept = Set(try Matcher.match(instance, alternatives: 0).proposals.map(\.pair))
        Progress.shared.finish()
        print("weight          −10 %    +10 %")
        // The matchings run two at a time: the solver runs on one core.
        let runs = ScoreComponent.allCases.filter { base[$0] != 0 }.flatMap { c in [-0.1, 0.1].map { (component: c, change: $0) } }
        let shares = Shares(count: runs.count)
        DispatchQueue.concurrentPerform(iterations: runs.count) { k in
            var w = base
            w[runs[k].component] *= 1 + runs[k].change
            let share = (try? Matcher.match(instance.with(weights: w), alternatives: 0)).map { r in
                Double(r.proposals.filter { kept.contains($0.pair) }.count) / Double(max(kept.count, 1))
            }
            let done = shares.set(k, share)
            Progress.shared.step("stability: \(done) of \(runs.count) matchings done")
        }
        Progress.shared.finish()
        var rows: [TuneTables.Stability] = []
        for component in ScoreComponent.allCases {
            let label = component.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
            guard base[component] != 0 else { print(label + "  weight 0: ±10 % changes nothing"); continue }
            let mine = runs.indices.filter { runs[$0].component == component }
            for k in mine { if let share = shares.values[k] { rows.append(.init(component: component, change: runs[k].change, shareKept: share)) } }
            print(label + mine.map { shares.values[$0].map { String(format: "%7.1f%%", 100 * $0) } ?? "   n/a" }.joined(separator: "  "))
        }
        return rows
    }
}

/// Results that concurrent matchings fill in.
final class Shares: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Double?]
    private var done = 0
    init(count: Int) { stored = Array(repeating: nil, count: count) }
    /// Stores result `k` and returns how many are in.
    func set(_ k: Int, _ value: Double?) -> Int { lock.withLock { stored[k] = value; done += 1; return done } }
    var values: [Double?] { lock.withLock { stored } }
}

/// The files `tune --out` writes: the folds, the summary, every held-out rank and the
/// stability, as CSV (for pandas and spreadsheets) and as one JSON.
struct TuneTables {
    struct Stability: Encodable {
        let component: ScoreComponent, change: Double, shareKept: Double
        enum CodingKeys: String, CodingKey { case component, change, shareKept = "share_kept" }
    }
    struct FoldRow { let fold: TuneReport.Fold, candidate: TuneReport.Candidate }
    struct RankRow { let hromada: String, partner: String, country: String, fold: Int, method: TuneMethod, rank: Int }

    let report: TuneReport, truth: [Tie], loaded: LoadedInputs, stability: [Stability]

    static let foldColumns: [Column<FoldRow>] = [.integer("fold") { $0.fold.index }, .text("method") { $0.candidate.method.rawValue },
        .integer("train_hromadas") { $0.fold.trainHromadas }, .integer("test_hromadas") { $0.fold.testHromadas },
        .number("train_mrr", digits: 5) { $0.candidate.trainMRR }]
        + EvaluationReport.cutoffs.map { k in .number("hit_at_\(k)", digits: 4) { $0.candidate.heldOut.hitAt[k] ?? 0 } }
        + [.number("mrr", digits: 5) { $0.candidate.heldOut.meanReciprocalRank }, .number("median_rank", digits: 1) { $0.candidate.heldOut.medianRank },
           .number("hromada_hit_at_10", digits: 4) { $0.candidate.heldOut.hromadaHitAt10 },
           .number("name_matched_hit_at_10", digits: 4) { $0.candidate.heldOutNameMatched.hitAt[10] ?? 0 },
           .number("name_matched_hromada_hit_at_10", digits: 4) { $0.candidate.heldOutNameMatched.hromadaHitAt10 }]
        + Tuner.components.map { c in Column("weight_\(c.rawValue)") { $0.candidate.weights.map { Cell.number($0[c], digits: 4) } ?? .missing } }
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

    static let stabilityColumns: [Column<Stability>] = [.text("component") { $0.component.rawValue },
        .number("change", digits: 2) { $0.change }, .number("share_kept", digits: 4) { $0.shareKept }]

    func files() throws -> [String: Data] {
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
        if !stability.isEmpty { files["stability.csv"] = Data(Table(stability, columns: Self.stabilityColumns).csv().utf8) }
        struct Document: Encodable {
            let written: String, folds: TableRecords<FoldRow>, summary: TableRecords<TuneReport.Summary>, stability: [Stability]
            let weights: [String: Double]
        }
        files["tune.json"] = try JSONOutput.encode(Document(
            written: report.written.rawValue, folds: Table(folds, columns: Self.foldColumns).records,
            summary: Table(report.summaries, columns: Self.summaryColumns).records, stability: stability,
            weights: Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, report.weights[$0]) })))
        return files
    }
}

/// `--model`: the methods that learn weights, by their names.
extension TuneMethod: ExpressibleByArgument {
    public init?(argument: String) {
        guard let method = TuneMethod(rawValue: argument), method.isFitted else { return nil }
        self = method
    }
    public static var allValueStrings: [String] { allCases.filter(\.isFitted).map(\.rawValue) }
}
