import ArgumentParser
import Foundation
import Twinning

struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search and fit weights against real partnerships; report held-out metrics and stability.",
        discussion: """
        Splits the true pairs by hromada (seeded, 30 % held out), tries a grid and a random
        search of weights and a logistic-regression fit (IRLS with LAPACK least squares) on
        the training part, and reports every candidate's held-out hit@k, MRR and median
        rank beside the defaults. The candidate with the best training MRR is written as a
        weights file. Stability: the share of `match` proposals that survive a ±10 %
        change of each weight.

        Examples:
          twinning tune
          twinning tune --seed 7 --write-weights my-weights.yaml --no-stability
        """)

    @OptionGroup var input: TruthOptions
    @Option(help: "Seed of the train/test split and the random search.") var seed: UInt64 = 2022
    @Option(help: "Where to write the best weights (replaced atomically).") var writeWeights = "tuned-weights.yaml"
    @Flag(help: "Skip the stability table (ten extra matchings).") var noStability = false

    func run() throws {
        let start = Date()
        let (h, p, truthPairs, base) = try input.load()
        let report = Tuner.tune(hromadas: h, partners: p, truth: truthPairs, base: base, seed: seed)
        print("\(report.trainHromadas) hromadas to train, \(report.testHromadas) held out; ranks among \(p.count) partners")
        let cut = EvaluationReport.cutoffs
        print("method".padding(toLength: 26, withPad: " ", startingAt: 0) + "train MRR"
              + cut.map { "hit@\($0)".leftPad(8) }.joined() + "  held-out MRR  median rank  weights (needs/profile/size/proximity)")
        for c in report.candidates {
            let w = c.weights
            print(c.method.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%9.4f", c.trainMRR)
                  + cut.map { String(format: "%.3f", c.heldOut.hitAt[$0] ?? 0).leftPad(8) }.joined()
                  + String(format: "%14.4f %12.1f  %.3f/%.3f/%.3f/%.3f", c.heldOut.meanReciprocalRank, c.heldOut.medianRank,
                           w.needs, w.profile, w.size, w.proximity))
        }
        do {
            let yaml = "# twinning tune, seed \(seed): \(report.best.method), training MRR "
                + String(format: "%.4f, held-out MRR %.4f\n", report.best.trainMRR, report.best.heldOut.meanReciprocalRank)
                + report.best.weights.yaml
            let tmp = writeWeights + ".partial"
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: tmp))
            _ = try? FileManager.default.removeItem(atPath: writeWeights)
            try FileManager.default.moveItem(atPath: tmp, toPath: writeWeights)
        } catch { throw CleanExit.failure("cannot write \(writeWeights): \(error.localizedDescription)") }
        print("best by training MRR: \(report.best.method) → written to \(writeWeights)")

        if !noStability {
            let ties: [Tie]
            do { ties = try Ties.load(path: input.truth, hromadas: h, partners: p) } catch { throw CleanExit.failure(error.description) }
            print("\nstability of `match` proposals (share kept when one weight changes by ±10 %):")
            let baseline: MatchResult
            do { baseline = try Matcher.match(hromadas: h, partners: p, ties: ties, weights: base, alternatives: 0) } catch {
                throw CleanExit.failure(error.description)
            }
            let kept = Set(baseline.proposals.map { "\($0.hromada)|\($0.partner)" })
            print("weight      −10 %    +10 %")
            for name in ["needs", "profile", "size", "proximity", "ties"] {
                var shares: [String] = []
                for factor in [0.9, 1.1] {
                    var w = base
                    switch name {
                    case "needs": w.needs *= factor
                    case "profile": w.profile *= factor
                    case "size": w.size *= factor
                    case "proximity": w.proximity *= factor
                    default: w.ties *= factor
                    }
                    guard let r = try? Matcher.match(hromadas: h, partners: p, ties: ties, weights: w, alternatives: 0) else {
                        shares.append("   n/a"); continue
                    }
                    let same = r.proposals.filter { kept.contains("\($0.hromada)|\($0.partner)") }.count
                    shares.append(String(format: "%7.1f%%", 100 * Double(same) / Double(max(kept.count, 1))))
                }
                print(name.padding(toLength: 10, withPad: " ", startingAt: 0) + shares.joined(separator: "  "))
            }
        }
        print(String(format: "done in %.1f s", Date().timeIntervalSince(start)))
    }
}
