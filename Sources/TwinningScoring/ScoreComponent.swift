import TwinningShared
import TwinningInput

/// One ingredient of a pair's score, in [0, 1]: together, how much a pair looks like the
/// partnerships that really formed. This enumeration is the one list of components:
/// weights files, the scoring kernel, explanations, the CSV and JSON columns, tuning and
/// evaluation all iterate over it. How well a partner's offers meet a hromada's needs is
/// not a component but the pair's *fit* (``ScoreModel``), which counts with its own
/// stated share, ``ScoreParameter/fitShare``, and only where the offers are real.
///
/// Adding a component takes: a case here (with its default weight and summary), its
/// block computation in ``ScoreModel`` (`componentValues`), and its value for a single
/// pair in ``ScoreModel/breakdown(hromada:partner:)``.
public enum ScoreComponent: String, CaseIterable, Sendable, Codable, Comparable {
    /// Cosine of the two `profile_` vectors.
    case profile
    /// `exp(−|ln(pop_ua / pop_eu)| / size_scale)`: peers of comparable size.
    case size
    /// `exp(−distance_km / distance_scale_km)`.
    case proximity
    /// 1 when the partner already twins with another hromada of the same oblast.
    case ties
    /// A gravity law, multiplicative in distance and size ratio:
    /// `(d + d₀)⁻¹ · ratio^(−a)`, taken as its logarithm scaled to [0, 1].
    case gravity
    /// The partner's own size, `log10(population) / 6` (1 from a million inhabitants).
    case town
    /// 1 for the most populous LAU of its NUTS 2 region, ½ for that of its NUTS 3 region.
    case centre
    /// How often hromadas of the same oblast twin in the partner's country (smoothed,
    /// learnt from the known ties, the hromada's own left out).
    case countryPrior = "country_prior"
    /// The same for the partner's NUTS 2 region, smoothed towards the country's.
    case regionPrior = "region_prior"
    /// How many hromadas the partner already twins with (the hromada itself not counted):
    /// `log2(1 + n) / 4`, 1 from 15.
    case popularity
    /// ``centre`` where the hromada is the most populous of its oblast, else 0: regional
    /// centres twin with regional centres.
    case capitals
    /// ``town`` times `1 − log10(hromada population) / 6`: smaller hromadas look further
    /// up the size scale (with ``town``, the pull towards larger partners depends on the
    /// hromada's own size).
    case upward

    /// The weight when a weights file does not set it: what `twinning tune` fits on the
    /// shipped `Data/ties.csv` (the conditional logit on every true pair, rounded), so that
    /// the default score ranks partners by how partnerships really form.
    public var defaultWeight: Double {
        switch self {
        case .profile: return 1.2381
        case .size: return 0.0498
        case .proximity: return -0.8763
        case .ties: return 0.4104
        case .gravity: return 19.0308
        case .town: return 2.6862
        case .centre: return -0.8793
        case .countryPrior: return 0.5857
        case .regionPrior: return 5.1462
        case .popularity: return 0.1036
        case .capitals: return 1.7653
        case .upward: return 39.8647
        }
    }

    /// What it measures, in one line.
    public var summary: String {
        switch self {
        case .profile: return "cosine of the profile_ vectors"
        case .size: return "exp(-|ln(pop_ua/pop_eu)| / size_scale)"
        case .proximity: return "exp(-distance_km / distance_scale_km); negative = prefer distant"
        case .ties: return "partner already twins with another hromada of the same oblast"
        case .gravity: return "1 - (ln(1 + d/10 km) + a·|ln(pop_ua/pop_eu)|) / G: distance and size ratio multiplied"
        case .town: return "log10(partner population) / 6"
        case .centre: return "1 largest LAU of its NUTS 2 region, 0.5 of its NUTS 3 region"
        case .countryPrior: return "1 + log10 p(country | oblast) / 4, learnt from known ties"
        case .regionPrior: return "1 + log10 p(NUTS 2 region | oblast) / 6, learnt from known ties"
        case .popularity: return "log2(1 + hromadas the partner twins with) / 4"
        case .capitals: return "centre, where the hromada is the largest of its oblast"
        case .upward: return "town × (1 - log10(hromada population) / 6)"
        }
    }

    /// Whether the component is learnt from known partnerships. It never counts the
    /// hromada's own ties, so evaluation can keep it when the known ties are the training
    /// pairs only.
    public var usesKnownTies: Bool { self == .ties || self == .countryPrior || self == .regionPrior || self == .popularity }

    /// Position in `allCases`: the index of the component in weight and value arrays.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: ScoreComponent, b: ScoreComponent) -> Bool { a.index < b.index }
}

/// A number that shapes a component rather than weighting it, or the fit's share.
public enum ScoreParameter: String, CaseIterable, Sendable, Codable {
    case sizeScale = "size_scale"
    case distanceScaleKm = "distance_scale_km"
    case gravitySize = "gravity_size"
    case priorStrength = "prior_strength"
    /// The share of a pair's score that its fit makes, where the pair has one: the score is
    /// `(1 − fit_share) · components + fit_share · fit`.
    case fitShare = "fit_share"

    /// The weights-file keys that no longer exist, with what to write instead.
    public static let retired: [String: String] = [
        "needs": "needs is no longer a weight: how well offers meet needs is the pair's fit, which counts as fit_share "
            + "of the score (default 0.3) where the partner's offers come from sign-ups; write fit_share: instead",
    ]

    public var defaultValue: Double {
        switch self {
        case .sizeScale: return 1
        case .distanceScaleKm: return 1000
        case .gravitySize: return 0.75
        case .priorStrength: return 5
        case .fitShare: return 0.3
        }
    }

    public var summary: String {
        switch self {
        case .sizeScale: return "how fast size similarity falls with the population ratio"
        case .distanceScaleKm: return "distance at which proximity falls to 1/e"
        case .gravitySize: return "the gravity law's exponent a of the population ratio (distance's is 1)"
        case .priorStrength: return "pseudo-ties that pull an oblast's priors towards all oblasts' shares"
        case .fitShare: return "share of the fit (offers against needs) in the score of a pair whose offers are real"
        }
    }

    /// The values a parameter may take: large enough that every component stays finite
    /// in single precision (a population ratio of 10⁹ raised to 1 / size_scale, a
    /// distance of 20,000 km over distance_scale_km), and small enough to mean something.
    public var range: ClosedRange<Double> {
        switch self {
        case .sizeScale: return 0.05...1000
        case .distanceScaleKm: return 1...1_000_000
        case .gravitySize: return 0...10
        case .priorStrength: return 0.01...1_000_000
        case .fitShare: return 0...1
        }
    }
}
