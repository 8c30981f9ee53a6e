import Foundation

/// How pairs are scored: a weight per ``ScoreComponent`` and the ``ScoreParameter``s.
/// Every output records the weights used.
///
/// The score of a pair is `Σ |wₖ|·cₖ' / Σ |wₖ|` over the components, where `cₖ' = cₖ`
/// for a non-negative weight and `1 − cₖ` for a negative one (a negative proximity weight
/// prefers distant partners). Each component is in [0, 1], so the score is too.
public struct Weights: Sendable, Equatable {
    private var weights: [Double] = ScoreComponent.allCases.map(\.defaultWeight)
    private var parameters: [Double] = ScoreParameter.allCases.map(\.defaultValue)
    /// Where the weights were trained, when a tuning run wrote them (recorded in outputs).
    public var trainedOn: String?

    public static let defaults = Weights()

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

    /// Reads a YAML weights file; unknown keys and bad values are errors with their line.
    public static func load(path: String) throws(InputErrors) -> Weights {
        try parse(InputFile.text(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> Weights {
        let root = try YAMLReader.parse(text, file: file)
        var reader = YAMLReader(file: file)
        guard root != nil else {
            throw InputErrors(InputError(.missing, file: file, "is empty; expected weights such as needs: 0.5"))
        }
        var w = Weights.defaults
        for (key, keyNode, value) in reader.entries(root, keys: keys, what: "weights") {
            if let component = ScoreComponent(rawValue: key) {
                if let x = reader.number(value, key) { w[component] = x }
            } else if let parameter = ScoreParameter(rawValue: key) {
                let range = parameter.range
                if let x = reader.number(value, key, in: range) { w[parameter] = x }
            } else if key == "trained_on" {
                w.trainedOn = reader.string(value, key)
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
        if let trainedOn { lines.append("trained_on: \"\(trainedOn.replacingOccurrences(of: "\"", with: "'"))\"") }
        return lines.joined(separator: "\n") + "\n"
    }
}
