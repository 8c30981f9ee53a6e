import Foundation
import Yams
import TwinningShared
import TwinningInput

/// How pairs are scored: a weight per ``ScoreComponent`` and the ``ScoreParameter``s.
/// Every output records the weights used.
///
/// The score of a pair is `Σ |wₖ|·cₖ' / Σ |wₖ|` over the components, where `cₖ' = cₖ`
/// for a non-negative weight and `1 − cₖ` for a negative one (a negative proximity weight
/// prefers distant partners). Each component is in [0, 1], so the score is too.
public struct Weights: Sendable, Equatable {
    private var weights: [Double] = ScoreComponent.allCases.map(\.defaultWeight)
    private var parameters: [Double] = ScoreParameter.allCases.map(\.defaultValue)
    /// What a tuning run fitted the weights on, when one wrote them: `evaluate` warns
    /// when it measures them on those pairs.
    public var trainedOn: Training?

    /// The true pairs weights were fitted on.
    public struct Training: Sendable, Equatable {
        /// The truth file as `tune` was given it, and its SHA-256.
        public var truth: String
        public var sha256: String
        /// The hromadas whose pairs the weights were fitted on (sorted ids).
        public var hromadas: [String]

        public init(truth: String, sha256: String, hromadas: [String]) {
            self.truth = truth
            self.sha256 = sha256
            self.hromadas = hromadas
        }
    }

    public static let defaults = Weights()

    /// The SHA-256 of the ties file the defaults were fitted on: the shipped `Data/ties.csv`.
    public static let defaultsFittedOn = "fa2579e82dfa80b7cdb0d074cc977be01f17fee3311f2e8dc5dbea3418a9b447"

    /// Whether these are the built-in defaults, weights and parameters alike.
    public var isDefault: Bool { weights == Weights.defaults.weights && parameters == Weights.defaults.parameters }

    public init() {}

    /// Weights with only the given components non-zero.
    public init(only components: [ScoreComponent: Double], parameters: Weights = .defaults) {
        self = parameters
        trainedOn = nil
        weights = ScoreComponent.allCases.map { components[$0] ?? 0 }
    }

    public subscript(component: ScoreComponent) -> Double {
        get { weights[component.index] }
        set { weights[component.index] = newValue }
    }

    public subscript(parameter: ScoreParameter) -> Double {
        get { parameters[ScoreParameter.allCases.firstIndex(of: parameter)!] }
        set { parameters[ScoreParameter.allCases.firstIndex(of: parameter)!] = newValue }
    }

    public var sizeScale: Double { self[.sizeScale] }
    public var distanceScaleKm: Double { self[.distanceScaleKm] }

    /// The weights and their sum of magnitudes `Σ|w|`, the score's denominator. When the
    /// sum would overflow, both are taken relative to the largest weight first, so weights
    /// near `Double.greatestFiniteMagnitude` give the same scores as the same weights
    /// scaled down.
    public var magnitudes: (weights: [Double], total: Double) {
        var w = weights, total = w.map(abs).reduce(0, +)
        if !total.isFinite {
            let largest = w.map(abs).max()!
            w = w.map { $0 / largest }
            total = w.map(abs).reduce(0, +)
        }
        return (w, total)
    }

    /// Each component's coefficient in the score, `wₖ / Σ|w|`, and the constant that the
    /// `1 − c` of negative weights adds.
    public var normalised: (coefficients: [Double], constant: Double) {
        let (w, total) = magnitudes
        guard total > 0 else { return (w.map { _ in 0 }, 0) }
        return (w.map { $0 / total }, -w.filter { $0 < 0 }.reduce(0, +) / total)
    }

    /// The component weights rounded to `digits` decimals (what `tune` writes: more
    /// digits than the data can tell apart mean nothing).
    public func rounded(digits: Int) -> Weights {
        var w = self
        let scale = pow(10, Double(digits))
        for c in ScoreComponent.allCases { w[c] = (self[c] * scale).rounded() / scale }
        return w.isUsable ? w : self
    }

    /// Whether some weight is non-zero.
    public var isUsable: Bool { weights.contains { $0 != 0 } }

    /// The same weights with the given components set to 0 (evaluation leaves out what
    /// the truth would vouch for).
    public func without(_ components: [ScoreComponent]) -> Weights {
        var w = self
        for c in components { w[c] = 0 }
        return w
    }

    // MARK: Files

    /// Every key a weights file may have.
    public static let keys = ScoreComponent.allCases.map(\.rawValue) + ScoreParameter.allCases.map(\.rawValue) + ["trained_on"]

    /// Reads a YAML weights file; unknown keys and bad values are errors with their line. A
    /// file that sets any component's weight sets them all (those it leaves out weigh 0); a
    /// file of parameters alone keeps the default weights.
    public static func load(path: String) throws(InputErrors) -> Weights {
        try parse(InputFile.text(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> Weights {
        let root = try YAMLReader.parse(text, file: file)
        var reader = YAMLReader(file: file)
        guard root != nil else {
            throw InputErrors(InputError(.missing, file: file, "is empty; expected weights such as proximity: -0.9"))
        }
        var w = Weights.defaults
        let entries = reader.entries(root, keys: keys, what: "weights", retired: ScoreParameter.retired)
        // A file that weighs some component weighs them all: those it leaves out weigh 0. (The
        // defaults are the model's; a file of the old logit's components must not get them too.)
        if entries.contains(where: { ScoreComponent(rawValue: $0.0) != nil }) {
            for c in ScoreComponent.allCases { w[c] = 0 }
        }
        for (key, keyNode, value) in entries {
            if let component = ScoreComponent(rawValue: key) {
                if let x = reader.number(value, key) { w[component] = x }
            } else if let parameter = ScoreParameter(rawValue: key) {
                let range = parameter.range
                if let x = reader.number(value, key, in: range) { w[parameter] = x }
            } else if key == "trained_on" {
                var training = Training(truth: "", sha256: "", hromadas: [])
                for (field, _, item) in reader.entries(value, keys: ["truth", "sha256", "hromadas"], what: "trained_on") {
                    switch field {
                    case "truth": training.truth = reader.string(item, "trained_on.truth") ?? ""
                    case "sha256": training.sha256 = reader.string(item, "trained_on.sha256") ?? ""
                    default: training.hromadas = reader.items(item, "trained_on.hromadas", expected: "hromada ids")?
                        .compactMap { reader.string($0, "a trained_on hromada", expected: "a hromada id") } ?? []
                    }
                }
                w.trainedOn = training
            } else {
                reader.fail(keyNode, .unknownKey, "unknown weight \"\(key)\"")
            }
        }
        if reader.errors.isEmpty && !w.isUsable {
            reader.fail(line: 0, .invalidValue, "all weights are 0: at least one must be non-zero")
        }
        try reader.finish()
        return w
    }

    /// The weights as YAML, as written into outputs and by `tune`.
    public var yaml: String {
        var lines = ScoreComponent.allCases.map { "\($0.rawValue): \(self[$0])" }
        lines += ScoreParameter.allCases.map { "\($0.rawValue): \(self[$0])" }
        var text = lines.joined(separator: "\n") + "\n"
        if let trainedOn {
            // Through Yams, which quotes a path or id as YAML needs.
            let training: Node = ["trained_on": Node([("truth", trainedOn.truth), ("sha256", trainedOn.sha256)].map { (Node($0.0), Node($0.1)) }
                                                     + [(Node("hromadas"), Node(trainedOn.hromadas.map { Node($0) }, Tag(.seq), .flow))])]
            text += (try? Yams.serialize(node: training, width: 100)) ?? ""
        }
        return text
    }
}
