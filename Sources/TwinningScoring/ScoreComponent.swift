import Foundation
import TwinningShared
import TwinningInput

/// One ingredient of a pair's score, in [0, 1]: together, how much a pair looks like the
/// partnerships that really formed. There are two generations: the first twelve (the
/// *old logit*'s, fixed shapes such as `exp(−d / L)`), and the *model*'s (``inModel``):
/// piecewise-linear shapes in log distance, log population ratio and log partner size
/// (``shape``), and the priors as log probabilities down to NUTS 3. The default weights
/// are the model's, fitted by `twinning tune`; the old components stay for comparison. This enumeration is the one list of components:
/// weights files, the scoring kernel, explanations, the CSV and JSON columns, tuning and
/// evaluation all iterate over it. How well a partner's offers meet a hromada's needs is
/// not a component but the pair's *fit* (``ScoreModel``), which counts with its own
/// stated share, ``ScoreParameter/fitShare``, and only where the offers are real.
///
/// Adding a component takes: a case here (with its default weight, summary and whether it
/// is ``inModel``; a shaped one only its ``shape``), its block computation in
/// ``ScoreModel`` (`componentValues`), and its value for a single pair in
/// ``ScoreModel/breakdown(hromada:partner:)``. The compiler lists each switch to extend.
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

    // The model's shapes: each is `(x − knot) / (top − knot)` clamped to [0, 1], with `x`
    // a decimal logarithm (``shape``). A weighted sum of them is any piecewise-linear
    // function of `x` with bends at the knots.

    /// `log10(km)` from 1 km (0) to 20,000 km (1): distance on a log scale.
    case km
    /// Bends of the distance: `log10(km / 100)` above 100 km, scaled to reach 1 at 20,000 km.
    case kmOver100 = "km_over_100"
    case kmOver200 = "km_over_200"
    case kmOver500 = "km_over_500"
    case kmOver1000 = "km_over_1000"
    case kmOver2000 = "km_over_2000"
    /// `log10(partner population / hromada population)` from −4 (0) to 4 (1): the signed
    /// population ratio.
    case ratio
    /// Bends of the ratio: above a tenth, above even, above tenfold.
    case ratioOverTenth = "ratio_over_tenth"
    case ratioOverEven = "ratio_over_even"
    case ratioOverTenfold = "ratio_over_tenfold"
    /// Bends of the partner's own size: `log10(population / 1,000)` above 1,000
    /// inhabitants, scaled to reach 1 at 10 million; then above 5,000, 20,000, 100,000
    /// and 500,000.
    case partnerOver1k = "partner_over_1k"
    case partnerOver5k = "partner_over_5k"
    case partnerOver20k = "partner_over_20k"
    case partnerOver100k = "partner_over_100k"
    case partnerOver500k = "partner_over_500k"
    /// `1 + log10 p / 9` of the priors without the floors' effect (p ≥ 10⁻⁹ always): the
    /// country's, the NUTS 2 region's and the NUTS 3 area's, each shrunk towards the level
    /// above (``ScoreContext``). Nine decades leave room for an area's probability, where
    /// the floored priors cut a region's off at 10⁻⁶.
    case countryLogPrior = "country_log_prior"
    case regionLogPrior = "region_log_prior"
    case areaLogPrior = "area_log_prior"

    /// The weight when a weights file does not set it: what `twinning tune` fits on the
    /// shipped `Data/ties.csv` (the model, ``inModel``, on every true pair, rounded), so
    /// that the default score ranks partners by how partnerships really form. The old
    /// logit's components weigh 0 by default.
    public var defaultWeight: Double {
        switch self {
        case .capitals: return 1.4246
        case .km: return -13.3727
        case .kmOver100: return -4.3341
        case .kmOver200: return 10.4172
        case .kmOver500: return -4.913
        case .kmOver1000: return -3.9812
        case .kmOver2000: return 3.6931
        case .ratio: return 10.3001
        case .ratioOverTenth: return -1.8439
        case .ratioOverEven: return -15.7229
        case .ratioOverTenfold: return 9.142
        case .partnerOver1k: return 10.8999
        case .partnerOver5k: return 6.9195
        case .partnerOver20k: return -8.1676
        case .partnerOver100k: return -0.7843
        case .partnerOver500k: return 0.3074
        case .regionLogPrior: return 4.1103
        case .areaLogPrior: return 3.4294
        case .profile, .size, .proximity, .ties, .gravity, .town, .centre, .countryPrior, .regionPrior, .popularity, .upward,
             .countryLogPrior: return 0
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
        case .countryLogPrior: return "1 + log10 p(country | oblast) / 9, learnt from known ties"
        case .regionLogPrior: return "1 + log10 p(NUTS 2 region | oblast) / 9, shrunk towards the country's"
        case .areaLogPrior: return "1 + log10 p(NUTS 3 area | oblast) / 9, shrunk towards the region's"
        default:
            let (measure, knot) = shape!
            let from = measure == .partnerSize ? Decimals.grouped(pow(10, knot)) : knot == measure.bottom ? nil : Decimals.grouped(pow(10, knot))
            switch measure {
            case .distance: return from.map { "log10(km / \($0)) above \($0) km, 1 at 20,000 km" } ?? "log10(km), 0 at 1 km, 1 at 20,000 km"
            case .ratio:
                let bend = knot == -1 ? "a tenth" : knot == 0 ? "even" : "tenfold"
                return knot == measure.bottom ? "log10(partner / hromada population), 0 at 1/10,000, 1 at 10,000"
                    : "log10(partner / hromada population) above \(bend), 1 at 10,000"
            case .partnerSize: return "log10(partner population / \(from!)) above \(from!), 1 at 10 million"
            }
        }
    }

    /// What a shaped component measures, as a decimal logarithm.
    public enum Measure: Sendable {
        /// `log10(km)`, at least 0 (1 km).
        case distance
        /// `log10(partner population / hromada population)`.
        case ratio
        /// `log10(partner population)`.
        case partnerSize

        /// Where the measure's shapes reach 1; and where its first shape starts.
        public var top: Double {
            switch self {
            case .distance: return log10(20_000)
            case .ratio: return 4
            case .partnerSize: return 7
            }
        }
        public var bottom: Double {
            switch self {
            case .distance: return 0
            case .ratio: return -4
            case .partnerSize: return 3
            }
        }
    }

    /// For a shaped component, its measure and knot: the value is
    /// `(x − knot) / (top − knot)` clamped to [0, 1]. Nil for the others.
    public var shape: (measure: Measure, knot: Double)? {
        switch self {
        case .km: return (.distance, 0)
        case .kmOver100: return (.distance, 2)
        case .kmOver200: return (.distance, log10(200))
        case .kmOver500: return (.distance, log10(500))
        case .kmOver1000: return (.distance, 3)
        case .kmOver2000: return (.distance, log10(2000))
        case .ratio: return (.ratio, -4)
        case .ratioOverTenth: return (.ratio, -1)
        case .ratioOverEven: return (.ratio, 0)
        case .ratioOverTenfold: return (.ratio, 1)
        case .partnerOver1k: return (.partnerSize, 3)
        case .partnerOver5k: return (.partnerSize, log10(5000))
        case .partnerOver20k: return (.partnerSize, log10(20_000))
        case .partnerOver100k: return (.partnerSize, 5)
        case .partnerOver500k: return (.partnerSize, log10(500_000))
        default: return nil
        }
    }

    /// A shaped component's value at `x` (the measure's decimal logarithm).
    @inline(__always)
    public static func shaped(_ x: Double, knot: Double, top: Double) -> Double { min(1, max(0, (x - knot) / (top - knot))) }

    /// Whether the component is one of the model's (the tuner's `model` method fits these).
    /// `profile` and `country_log_prior` are not: held out, they added nothing (`tune
    /// --ablation`); `profile` stays in the old logit, `country_log_prior` for researchers.
    public var inModel: Bool {
        switch self {
        case .capitals: return true
        case .profile, .size, .proximity, .ties, .gravity, .town, .centre, .countryPrior, .regionPrior, .popularity, .upward: return false
        case .km, .kmOver100, .kmOver200, .kmOver500, .kmOver1000, .kmOver2000, .ratio, .ratioOverTenth, .ratioOverEven,
             .ratioOverTenfold, .partnerOver1k, .partnerOver5k, .partnerOver20k, .partnerOver100k, .partnerOver500k,
             .regionLogPrior, .areaLogPrior: return true
        case .countryLogPrior: return false
        }
    }

    /// The group the component belongs to for ablation: a shaped component's measure
    /// (`distance`, `ratio`, `partner size`: one shape is not left out without its bends),
    /// else the component itself.
    public var family: String {
        switch shape?.measure {
        case .distance: return "distance"
        case .ratio: return "ratio"
        case .partnerSize: return "partner size"
        case nil: return rawValue
        }
    }

    /// `components` grouped by ``family``, in order of first appearance.
    public static func families(of components: [ScoreComponent]) -> [(family: String, components: [ScoreComponent])] {
        var out: [(family: String, components: [ScoreComponent])] = []
        for c in components {
            if let k = out.firstIndex(where: { $0.family == c.family }) { out[k].components.append(c) } else { out.append((c.family, [c])) }
        }
        return out
    }

    /// The model's components and the old logit's (``inModel``), each in enumeration order.
    public static let model = allCases.filter(\.inModel)
    public static let oldLogit: [ScoreComponent] = [.profile, .size, .proximity, .ties, .gravity, .town, .centre, .countryPrior,
                                                    .regionPrior, .popularity, .capitals, .upward]

    /// Whether the component is learnt from known partnerships. It never counts the
    /// hromada's own ties, so evaluation can keep it when the known ties are the training
    /// pairs only.
    public var usesKnownTies: Bool {
        switch self {
        case .ties, .countryPrior, .regionPrior, .popularity, .countryLogPrior, .regionLogPrior, .areaLogPrior: return true
        default: return false
        }
    }

    /// Position in `allCases`: the index of the component in weight and value arrays.
    /// (A payload-free enumeration is stored as its case's position in the declaration,
    /// which is `allCases`' order; the kernels read this in their inner loops, where a
    /// search of `allCases` showed in profiles.)
    @inline(__always)
    public var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

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
