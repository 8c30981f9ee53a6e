import Foundation
import Yams

/// How pairs are scored (SPEC §3). Every output records the weights used.
///
/// The score of a pair is `Σ |wₖ|·cₖ' / Σ |wₖ|` over the components, where `cₖ' = cₖ`
/// for a non-negative weight and `1 − cₖ` for a negative one (a negative proximity weight
/// prefers distant partners). Each component is in [0, 1], so the score is too.
public struct Weights: Sendable, Equatable, Codable {
    /// Cosine of the hromada's needs and the partner's offers.
    public var needs: Double = 0.55
    /// Cosine of the two `profile_` vectors.
    public var profile: Double = 0.10
    /// `exp(−|ln(pop_ua / pop_eu)| / sizeScale)`: peers of comparable size.
    public var size: Double = 0.15
    /// `exp(−distance_km / distanceScaleKm)`.
    public var proximity: Double = 0.15
    /// 1 when the partner already twins with another hromada of the same oblast.
    public var ties: Double = 0.05
    public var sizeScale: Double = 1.0
    public var distanceScaleKm: Double = 1000

    public static let defaults = Weights()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case needs, profile, size, proximity, ties
        case sizeScale = "size_scale", distanceScaleKm = "distance_scale_km"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Weights.defaults
        needs = try c.decodeIfPresent(Double.self, forKey: .needs) ?? d.needs
        profile = try c.decodeIfPresent(Double.self, forKey: .profile) ?? d.profile
        size = try c.decodeIfPresent(Double.self, forKey: .size) ?? d.size
        proximity = try c.decodeIfPresent(Double.self, forKey: .proximity) ?? d.proximity
        ties = try c.decodeIfPresent(Double.self, forKey: .ties) ?? d.ties
        sizeScale = try c.decodeIfPresent(Double.self, forKey: .sizeScale) ?? d.sizeScale
        distanceScaleKm = try c.decodeIfPresent(Double.self, forKey: .distanceScaleKm) ?? d.distanceScaleKm
    }

    /// Sum of the weights' magnitudes (the score's denominator).
    var total: Double { abs(needs) + abs(profile) + abs(size) + abs(proximity) + abs(ties) }

    /// Reads a YAML weights file; unknown keys and bad values are errors with their line.
    public static func load(path: String) throws(InputErrors) -> Weights {
        let (file, text) = try readText(path: path)
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> Weights {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            var line = 0, column = 0
            if let e = error as? YamlError, case let .scanner(_, _, mark, _) = e { line = mark.line; column = mark.column }
            throw InputErrors([InputError(file: file, line: line, column: column, message: "is not valid YAML: \(error)")])
        }
        guard let mapping = node?.mapping else {
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "expected a mapping of weight names to numbers")])
        }
        var w = Weights.defaults, errors: [InputError] = []
        for (key, value) in mapping {
            let name = key.string ?? "?"
            let line = key.mark.map { $0.line } ?? 0, column = value.mark.map { $0.column } ?? 0
            guard let x = value.float.map({ Double($0) }) ?? value.int.map({ Double($0) }), x.isFinite else {
                errors.append(InputError(file: file, line: line, column: column, message: "\(name) must be a number, found \"\(value.string ?? "")\""))
                continue
            }
            switch name {
            case "needs": w.needs = x
            case "profile": w.profile = x
            case "size": w.size = x
            case "proximity": w.proximity = x
            case "ties": w.ties = x
            case "size_scale", "distance_scale_km":
                if x <= 0 { errors.append(InputError(file: file, line: line, column: column, message: "\(name) must be positive, found \(x)")) }
                if name == "size_scale" { w.sizeScale = x } else { w.distanceScaleKm = x }
            default:
                errors.append(InputError(file: file, line: line, column: key.mark.map { $0.column } ?? 0,
                    message: "unknown weight \"\(name)\"; expected needs, profile, size, proximity, ties, size_scale, distance_scale_km"))
            }
        }
        if errors.isEmpty && w.total == 0 {
            errors.append(InputError(file: file, line: 0, column: 0, message: "all weights are 0: at least one must be non-zero"))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return w
    }

    /// The weights as YAML, as written into outputs.
    public var yaml: String {
        """
        needs: \(needs)
        profile: \(profile)
        size: \(size)
        proximity: \(proximity)
        ties: \(ties)
        size_scale: \(sizeScale)
        distance_scale_km: \(distanceScaleKm)

        """
    }
}
