import ArgumentParser
import Foundation
import Twinning

/// The input files every matching command reads; defaults are the shipped `Data/`.
struct InputOptions: ParsableArguments {
    @Option(help: "Hromadas file (CSV or JSON).")
    var hromadas = "Data/hromadas.csv"

    @Option(help: "Partners file (CSV or JSON).")
    var partners = "Data/partners.csv"

    @Option(help: "Ties file: ua_id,eu_id,status with status existing, accepted or rejected. Use '' for none.")
    var ties = "Data/ties.csv"

    @Option(help: "Rules file (YAML): min_score, eu_members_only, forbidden, locked, levels.")
    var rules: String?

    @Option(help: "Weights file (YAML); the defaults are in the README.")
    var weights: String?

    struct Loaded {
        let hromadas: Registry, partners: Registry, ties: [Tie], rules: Rules, weights: Weights
        let seconds: Double
        /// Role → path of every input file, recorded in the outputs.
        let inputs: [String: String]
    }

    /// Reads every input, reporting all problems of all files before giving up.
    func load() throws -> Loaded {
        let start = Date()
        var problems: [String] = []
        func attempt<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let e as InputErrors { problems.append(e.description); return nil } catch {
                problems.append("\(error)"); return nil
            }
        }
        let h = attempt { try Registry.load(path: hromadas, side: .hromadas) }
        let p = attempt { try Registry.load(path: partners, side: .partners) }
        let r = rules.flatMap { path in attempt { try Rules.load(path: path) } } ?? (rules == nil ? Rules() : nil)
        let w = weights.flatMap { path in attempt { try Weights.load(path: path) } } ?? (weights == nil ? .defaults : nil)
        var t: [Tie]? = []
        if !ties.isEmpty, let h, let p { t = attempt { try Ties.load(path: ties, hromadas: h, partners: p) } }
        guard problems.isEmpty, let h, let p, let t, let r, let w else {
            throw CleanExit.failure(problems.joined(separator: "\n"))
        }
        var inputs = ["hromadas": hromadas, "partners": partners]
        if !ties.isEmpty { inputs["ties"] = ties }
        if let rules { inputs["rules"] = rules }
        if let weights { inputs["weights"] = weights }
        return Loaded(hromadas: h, partners: p, ties: t, rules: r, weights: w,
                      seconds: Date().timeIntervalSince(start), inputs: inputs)
    }
}

/// The inputs of the research commands: the registries, the true pairs and weights.
struct TruthOptions: ParsableArguments {
    @Option(help: "Hromadas file.") var hromadas = "Data/hromadas.csv"
    @Option(help: "Partners file.") var partners = "Data/partners.csv"
    @Option(help: "True pairs: a ties file; its existing and accepted pairs are the truth.") var truth = "Data/ties.csv"
    @Option(help: "Weights file (YAML).") var weights: String?

    /// Registries, true pairs (rejected ones left out) and weights, or every problem found.
    func load() throws -> (hromadas: Registry, partners: Registry, truth: [Tie], weights: Weights) {
        do {
            let h = try Registry.load(path: hromadas, side: .hromadas)
            let p = try Registry.load(path: partners, side: .partners)
            let ties = try Ties.load(path: truth, hromadas: h, partners: p).filter { $0.status != .rejected }
            let w = try weights.map { path throws(InputErrors) in try Weights.load(path: path) } ?? .defaults
            return (h, p, ties, w)
        } catch { throw CleanExit.failure(error.description) }
    }
}
