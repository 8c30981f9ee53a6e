/// One ingredient of a pair's score, in [0, 1]. This enumeration is the one list of
/// components: weights files, the scoring kernel, explanations, the CSV and JSON
/// columns, tuning and evaluation all iterate over it.
///
/// Adding a component takes: a case here (with its default weight and summary), its
/// block computation in ``ScoreModel`` (`componentValues`), and its value for a single
/// pair in ``ScoreModel/breakdown(hromada:partner:)``.
public enum ScoreComponent: String, CaseIterable, Sendable, Codable, Comparable {
    /// Cosine of the hromada's needs and the partner's offers.
    case needs
    /// Cosine of the two `profile_` vectors.
    case profile
    /// `exp(−|ln(pop_ua / pop_eu)| / size_scale)`: peers of comparable size.
    case size
    /// `exp(−distance_km / distance_scale_km)`.
    case proximity
    /// 1 when the partner already twins with another hromada of the same oblast.
    case ties

    /// The weight when a weights file does not set it.
    public var defaultWeight: Double {
        switch self {
        case .needs: return 0.55
        case .profile: return 0.10
        case .size: return 0.15
        case .proximity: return 0.15
        case .ties: return 0.05
        }
    }

    /// What it measures, in one line.
    public var summary: String {
        switch self {
        case .needs: return "cosine of need and offer vectors"
        case .profile: return "cosine of the profile_ vectors"
        case .size: return "exp(-|ln(pop_ua/pop_eu)| / size_scale)"
        case .proximity: return "exp(-distance_km / distance_scale_km); negative = prefer distant"
        case .ties: return "partner already twins with a hromada of the same oblast"
        }
    }

    /// Whether the component is learnt from real partnerships, so that evaluation must
    /// leave it out (the true pairs would vouch for themselves).
    public var usesKnownTies: Bool { self == .ties }

    /// Position in `allCases`: the index of the component in weight and value arrays.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: ScoreComponent, b: ScoreComponent) -> Bool { a.index < b.index }
}

/// A number that shapes a component rather than weighting it.
public enum ScoreParameter: String, CaseIterable, Sendable, Codable {
    case sizeScale = "size_scale"
    case distanceScaleKm = "distance_scale_km"

    public var defaultValue: Double {
        switch self {
        case .sizeScale: return 1
        case .distanceScaleKm: return 1000
        }
    }

    public var summary: String {
        switch self {
        case .sizeScale: return "how fast size similarity falls with the population ratio"
        case .distanceScaleKm: return "distance at which proximity falls to 1/e"
        }
    }

    /// The values a parameter may take: large enough that every component stays finite
    /// in single precision (a population ratio of 10⁹ raised to 1 / size_scale, a
    /// distance of 20,000 km over distance_scale_km), and small enough to mean something.
    public var range: ClosedRange<Double> {
        switch self {
        case .sizeScale: return 0.05...1000
        case .distanceScaleKm: return 1...1_000_000
        }
    }
}
