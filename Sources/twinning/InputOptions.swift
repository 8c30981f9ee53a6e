import ArgumentParser
import Foundation
import Twinning

/// The input files every matching command reads; defaults are the shipped `Data/`.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Hromadas file (CSV or JSON).", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var hromadas = "Data/hromadas.csv"

    @Option(help: ArgumentHelp("Partners file (CSV or JSON).", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var partners = "Data/partners.csv"

    @Option(help: ArgumentHelp("Ties file: ua_id,eu_id,status with status existing, accepted or rejected. Use '' for none.",
                               valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var ties = "Data/ties.csv"

    @Option(help: ArgumentHelp("Rules file (YAML): \(Rules.keys.joined(separator: ", ")).", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var rules: String?

    @Option(help: ArgumentHelp("Weights file (YAML); the defaults are in the README.", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var weights: String?

    @Option(help: ArgumentHelp("A sign-ups overlay of `twinning intake` (repeatable): partners.csv makes its partners volunteers with their slots "
                               + "and offers, hromadas.csv sets its hromadas' seeking, slots and needs.", valueName: "file"), completion: .file(extensions: ["csv"]))
    var signups: [String] = []

    var paths: InputPaths {
        InputPaths(hromadas: hromadas, partners: partners, ties: ties.isEmpty ? nil : ties, rules: rules, weights: weights, signups: signups)
    }
}

/// The inputs of the research commands: the registries, the true pairs and weights.
struct TruthOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Hromadas file.", valueName: "file"), completion: .file(extensions: ["csv", "json"])) var hromadas = "Data/hromadas.csv"
    @Option(help: ArgumentHelp("Partners file.", valueName: "file"), completion: .file(extensions: ["csv", "json"])) var partners = "Data/partners.csv"
    @Option(help: ArgumentHelp("True pairs: a ties file; its existing and accepted pairs are the truth.", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var truth = "Data/ties.csv"
    @Option(help: ArgumentHelp("Weights file (YAML).", valueName: "file"), completion: .file(extensions: ["yaml", "yml"])) var weights: String?

    /// The inputs (the truth file as ties) and the true pairs (rejected ones left out),
    /// or every problem found.
    func load() throws(InputErrors) -> (inputs: LoadedInputs, truth: [Tie]) {
        let loaded = try LoadedInputs.load(InputPaths(hromadas: hromadas, partners: partners, ties: truth, weights: weights))
        let pairs = loaded.ties.filter { $0.status != .rejected }
        guard !pairs.isEmpty else {
            throw InputErrors(InputError(.missing, file: truth, "has no existing or accepted pairs to learn from or measure against"))
        }
        return (loaded, pairs)
    }
}

/// A number option read like every loader reads numbers: decimal only, finite.
struct DecimalValue: ExpressibleByArgument {
    let value: Double
    init?(argument: String) {
        guard let x = DecimalNumber.parse(argument) else { return nil }
        value = x
    }
}
