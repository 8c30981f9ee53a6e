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
        on the fold's, among every partner: hit@1, hit@10, hit@100, MRR, median rank and the share of hromadas with a true partner in \
        their top 10, as mean ± standard deviation over the folds, over all pairs and over those matched by name. \
        The methods: random order, proximity only, the weights as given, gravity (its size exponent chosen on the \
        training pairs), the old logit (the first twelve components) and the model (piecewise-linear shapes in \
        distance and size, log priors down to NUTS 3), conditional logits fitted by Newton steps with LAPACK \
        solves and finished in double precision. Then the model against the old logit fold by fold and hromada by \
        hromada (a sign test), and how alike the fold models rank (top-10 overlap). \
        The fit of needs and offers never enters (fit_share 0): the shipped offers are synthetic. The --model method is then fitted on every \
        pair and written as a weights file, which records the truth file, its SHA-256 and the hromadas it was fitted \
        on (evaluate warns when measuring those). Stability: the share of `match` proposals that survive a ±10 % \
        change of each weight.

        Examples:
          twinning tune
          twinning tune --folds 10 --seed 7 --write-weights my-weights.yaml --out tuning --no-stability
        """)

    @OptionGroup var input: TruthOptions
    @Option(help: ArgumentHelp("Seed of the folds.", valueName: "n")) var seed: UInt64 = 2022
    @Option(help: ArgumentHelp("The fitted method written as weights: model, logit (the old one) or gravity.", valueName: "method"))
    var model: TuneMethod = .model
    @Option(help: ArgumentHelp("Folds of the cross-validation (each hromada is held out in one).", valueName: "k")) var folds = 5
    @Option(help: ArgumentHelp("Where to write the chosen weights (a new file; see --force).", valueName: "file"), completion: .file())
    var writeWeights = "tuned-weights.yaml"
    @Flag(help: "Replace the weights file if it exists (the new one is renamed over it whole).") var force = false
    @Option(help: ArgumentHelp("Also write the tables (CSV and JSON) into this new folder.", valueName: "folder"), completion: .directory)
    var out: String?
    @Flag(help: "Skip the stability table (ten extra matchings).") var noStability = false
    @Flag(help: "Also refit the model without each family of its components, on the same folds (about 2 s per family and fold).")
    var ablation = false

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
        print(TuneTables.text(report), terminator: "")
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
              + report.written.components.map { "\($0.rawValue) \(Decimals.fixed(weights[$0], 4))" }.joined(separator: ", ")
              + (report.written.components.contains(.gravity) ? ", gravity_size \(Decimals.fixed(weights[.gravitySize], 2))" : ""))
        var ablated: [AblationRow] = []
        if ablation {
            ablated = Tuner.ablation(hromadas: loaded.hromadas, partners: loaded.partners, truth: truth, base: loaded.weights,
                                     seed: seed, folds: folds) { done, total in
                Progress.shared.step("ablation: \(done) of \(total) families done")
            }
            Progress.shared.finish()
            print("\n" + TuneTables.ablationText(ablated), terminator: "")
        }
        let stability = noStability ? [] : try stability(loaded)
        if let out {
            try OutputFolder.write(TuneTables(report: report, truth: truth, loaded: loaded, stability: stability, ablation: ablated).files(), to: out)
            print("tables written to \(out)")
        }
        print(String(format: "done in %.1f s", Date().timeIntervalSince(start)))
    }

    /// The share of `match` proposals kept when one weight changes by ±10 % (``Stability``), printed.
    func stability(_ loaded: LoadedInputs) throws -> [Stability.Row] {
        print("\nstability of `match` proposals (share kept when one weight changes by ±10 %):")
        Progress.shared.step("matching with the weights as given")
        let rows = try Stability.measure(loaded.instance()) { done, total in
            Progress.shared.step("stability: \(done) of \(total) matchings done")
        }
        Progress.shared.finish()
        let weighed = ScoreComponent.allCases.filter { loaded.weights[$0] != 0 }
        let width = max(14, (weighed.map(\.rawValue.count).max() ?? 0) + 1)
        print("weight".padding(toLength: width, withPad: " ", startingAt: 0) + "  −10 %    +10 %")
        for component in weighed {
            let label = component.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let shares = Stability.changes.map { change in rows.first { $0.component == component && $0.change == change }?.shareKept }
            print(label + shares.map { $0.map { String(format: "%7.1f%%", 100 * $0) } ?? "   n/a" }.joined(separator: "  "))
        }
        let unweighed = ScoreComponent.allCases.count - weighed.count
        if unweighed > 0 { print("(the \(unweighed) components of weight 0 are left out: ±10 % of 0 changes nothing)") }
        return rows
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
