import ArgumentParser
import Foundation
import Twinning

struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search and fit weights against real partnerships; report held-out metrics and stability.",
        discussion: """
        Splits the true pairs by hromada (seeded, 30 % held out), tries a grid and a random search of weights and \
        a logistic-regression fit (IRLS with LAPACK least squares) on the training part, and reports every \
        candidate's held-out hit@k, MRR and median rank beside the defaults. The candidate with the best training \
        MRR is written as a weights file. Stability: the share of `match` proposals that survive a ±10 % change of \
        each weight.

        Examples:
          twinning tune
          twinning tune --seed 7 --write-weights my-weights.yaml --no-stability
        """)

    @OptionGroup var input: TruthOptions
    @Option(help: "Seed of the train/test split and the random search.") var seed: UInt64 = 2022
    @Option(help: ArgumentHelp("Where to write the best weights (a new file; see --force).", valueName: "file"))
    var writeWeights = "tuned-weights.yaml"
    @Flag(help: "Replace the weights file if it exists.") var force = false
    @Flag(help: "Skip the stability table (ten extra matchings).") var noStability = false

    func run() throws {
        let start = Date()
        try OutputFile.checkAvailable(writeWeights, replace: force)
        Progress.shared.step("scoring every partner for the hromadas of \(input.truth)")
        let (loaded, truthPairs) = try input.load()
        let report = Tuner.tune(hromadas: loaded.hromadas, partners: loaded.partners, truth: truthPairs, base: loaded.weights, seed: seed)
        Progress.shared.finish()
        print("\(report.trainHromadas) hromadas to train, \(report.testHromadas) held out; ranks among \(loaded.partners.count) partners")
        let cut = EvaluationReport.cutoffs, names = Tuner.components.map(\.rawValue).joined(separator: "/")
        print("method".padding(toLength: 26, withPad: " ", startingAt: 0) + "train MRR"
              + cut.map { "hit@\($0)".leftPad(8) }.joined() + "  held-out MRR  median rank  weights (\(names))")
        for c in report.candidates {
            print(c.method.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%9.4f", c.trainMRR)
                  + cut.map { String(format: "%.3f", c.heldOut.hitAt[$0] ?? 0).leftPad(8) }.joined()
                  + String(format: "%14.4f %12.1f  ", c.heldOut.meanReciprocalRank, c.heldOut.medianRank)
                  + Tuner.components.map { String(format: "%.3f", c.weights[$0]) }.joined(separator: "/"))
        }
        let yaml = "# twinning tune, seed \(seed): \(report.best.method), training MRR "
            + String(format: "%.4f, held-out MRR %.4f\n", report.best.trainMRR, report.best.heldOut.meanReciprocalRank)
            + report.best.weights.yaml
        try OutputFile.write(Data(yaml.utf8), to: writeWeights, replace: force)
        print("best by training MRR: \(report.best.method) → written to \(writeWeights)")
        if !noStability { try stability(loaded) }
        print(String(format: "done in %.1f s", Date().timeIntervalSince(start)))
    }

    /// The share of `match` proposals kept when one weight changes by ±10 %.
    func stability(_ loaded: LoadedInputs) throws {
        let base = loaded.weights, instance = loaded.instance()
        print("\nstability of `match` proposals (share kept when one weight changes by ±10 %):")
        Progress.shared.step("matching with the weights as given")
        let kept = Set(try Matcher.match(instance, alternatives: 0).proposals.map(\.pair))
        Progress.shared.finish()
        print("weight      −10 %    +10 %")
        for component in ScoreComponent.allCases {
            var shares: [String] = []
            for factor in [0.9, 1.1] {
                var w = base
                w[component] *= factor
                Progress.shared.step("matching with \(component.rawValue) × \(factor)")
                guard let r = try? Matcher.match(instance.with(weights: w), alternatives: 0) else { shares.append("   n/a"); continue }
                let same = r.proposals.filter { kept.contains($0.pair) }.count
                shares.append(String(format: "%7.1f%%", 100 * Double(same) / Double(max(kept.count, 1))))
            }
            Progress.shared.finish()
            print(component.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + shares.joined(separator: "  "))
        }
    }
}
