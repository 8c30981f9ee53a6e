import Foundation
import LinearAlgebra
import TwinningShared
import TwinningInput

/// Why a pair scores what it does: each component's value, weight and share of the
/// components' score, the fit of offers and needs where the pair has one, the sectors
/// where need meets offer, the size ratio and the distance.
public struct Breakdown: Sendable {
    public struct Component: Sendable {
        public let component: ScoreComponent
        /// The component in [0, 1].
        public let value: Double
        public let weight: Double
        /// Its share of the score: `|w|·c' / Σ|w|` with `c' = 1 − c` for a negative weight.
        public let contribution: Double
    }
    public struct SectorMatch: Sendable {
        public let sector: Sector
        public let need: Double
        public let offer: Double
    }
    /// What the matching maximises: ``componentScore`` alone, or, where the pair has a
    /// fit, `(1 − fitShare) · componentScore + fitShare · fit`.
    public let score: Double
    /// `Σ|w|·c' / Σ|w|` over the components: how much the pair looks like the
    /// partnerships that really formed.
    public let componentScore: Double
    /// How well the partner's offers meet the hromada's needs, in [0, 1]: `Σₛ nₛ·oₛ / Σₛ nₛ`.
    /// Nil when the pair has none: the offers do not count (``offers``) or the hromada
    /// states no need.
    public let fit: Double?
    /// Why the partner's offers count or not.
    public let offers: ScoreModel.OfferStatus
    /// The fit a pair without one is scored with: its hromada's fit with the average
    /// partner whose offers count (``ScoreContext/typicalFit``). Nil when no pair has a fit.
    public let typicalFit: Double?
    /// The fit's share of ``score``: ``ScoreParameter/fitShare`` when some pair has a fit
    /// (``typicalFit`` is not nil), else 0.
    public let fitShare: Double
    /// One per ``ScoreComponent``, in its order.
    public let components: [Component]
    /// Up to three sectors where need × offer is largest.
    public let topSectors: [SectorMatch]
    /// Hromada population / partner population.
    public let sizeRatio: Double
    public let distanceKm: Double
    /// `Σ|w|`, the denominator every contribution is divided by.
    public let weightTotal: Double
    /// Why the pair scores what it does, in short sentences of facts
    /// (made by the score model with the breakdown): the fit, distance, sizes, known ties,
    /// standing in the region.
    public internal(set) var reasons: [String] = []
    /// ``componentScore`` on the ``LikelihoodScale`` of the known ties: the share of real
    /// partnerships that look less typical than this pair. Nil when no tie is known.
    public internal(set) var likelihood: Double?

    public subscript(component: ScoreComponent) -> Component { components[component.index] }

    /// The fit's place in the score, or why the pair has none, in a few words.
    public var fitNote: String {
        let share = Decimals.percent(fitShare)
        guard let why = noFit else { return "fit is \(share) of the score" }
        guard let typicalFit else { return "no fit: \(why)" }
        return "no fit (\(why)): scored with the hromada's typical fit \(Decimals.fixed(typicalFit, 2)), \(share) of the score"
    }

    /// Why the pair has no fit, or nil when it has one.
    public var noFit: String? {
        guard fit == nil else { return nil }
        switch offers {
        case .counted: return "the hromada states no needs"
        case .synthetic: return "the partner's offers are synthetic"
        case .none: return "the partner states no offers"
        }
    }
}

extension ScoreModel {
    /// Every component of one pair, computed directly (no BLAS, double precision): the
    /// explanation, and the reference the BLAS path is tested against.
    public func breakdown(hromada i: Int, partner j: Int) -> Breakdown {
        let need = (0..<sectors.count).map { rawNeeds[i, $0] }, offer = (0..<sectors.count).map { rawOffers[j, $0] }
        let (components, ratio, distance, total) = componentsOf(hromada: i, partner: j)
        var matches: [Breakdown.SectorMatch] = []
        for (k, sector) in sectors.enumerated() where need[k] * offer[k] > 0 {
            matches.append(Breakdown.SectorMatch(sector: sector, need: Double(need[k]), offer: Double(offer[k])))
        }
        matches.sort { a, b in
            let x = a.need * a.offer, y = b.need * b.offer
            return x > y || (x == y && a.sector.rawValue < b.sector.rawValue)
        }
        let componentScore = components.reduce(0) { $0 + $1.contribution }
        let status = offerStatus[j], needTotal = need.reduce(0.0) { $0 + Double($1) }
        let fit: Double? = status == .counted && needTotal > 0
            ? zip(need, offer).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / needTotal : nil
        let typical = typicalFit.map { Double($0[i]) }, share = typical == nil ? 0 : weights[.fitShare]
        var breakdown = Breakdown(score: (1 - share) * componentScore + share * (fit ?? typical ?? 0), componentScore: componentScore,
                         fit: fit, offers: status, typicalFit: typical, fitShare: share, components: components,
                         topSectors: Array(matches.prefix(3)), sizeRatio: ratio, distanceKm: distance, weightTotal: total)
        breakdown.likelihood = likelihood?.value(componentScore)
        breakdown.reasons = reasons(hromada: i, partner: j, breakdown)
        return breakdown
    }

    /// The components of one pair with their contributions, its population ratio, distance
    /// and the weights' `Σ|w|`.
    private func componentsOf(hromada i: Int, partner j: Int) -> ([Breakdown.Component], ratio: Double, distance: Double, total: Double) {
        let ratio = hromadas.populations[i] / partners.populations[j]
        let distance = Self.haversineKm(lat1: hromadas.latitudes[i], lon1: hromadas.longitudes[i],
                                        lat2: partners.latitudes[j], lon2: partners.longitudes[j])
        let (w, total) = weights.magnitudes
        let components = ScoreComponent.allCases.map { c -> Breakdown.Component in
            let value = self.value(c, hromada: i, partner: j, ratio: ratio, distance: distance)
            let weight = w[c.index]
            let oriented = weight < 0 ? 1 - value : value
            return Breakdown.Component(component: c, value: value, weight: weights[c],
                                       contribution: total > 0 ? abs(weight) * oriented / total : 0)
        }
        return (components, ratio, distance, total)
    }

    /// The components' score of one pair, as ``breakdown(hromada:partner:)`` computes it.
    public func componentScore(hromada i: Int, partner j: Int) -> Double {
        componentsOf(hromada: i, partner: j).0.reduce(0) { $0 + $1.contribution }
    }

    /// One component of one pair, the reference for the block computation.
    private func value(_ c: ScoreComponent, hromada i: Int, partner j: Int, ratio: Double, distance: Double) -> Double {
        switch c {
        case .profile:
            guard !profiles.isEmpty else { return 0 }
            let a = profiles.map { hromadas.profileValues[i, hromadas.profiles.firstIndex(of: $0)!] }
            let b = profiles.map { partners.profileValues[j, partners.profiles.firstIndex(of: $0)!] }
            return Self.cosine(a, b)
        case .size:
            return exp(-abs(log(ratio)) / weights.sizeScale)
        case .proximity:
            return exp(-distance / weights.distanceScaleKm)
        case .ties:
            return tied(i, j) ? 1 : 0
        case .gravity:
            let a = weights[.gravitySize]
            return max(0, 1 - (log(1 + distance / Self.gravityOffsetKm) + a * abs(log(ratio))) / Self.gravityNormaliser(a))
        case .town:
            return Self.townValue(partners.populations[j])
        case .centre:
            return Double(centre[j])
        case .countryPrior:
            return Double(countryPrior[i * context.countries + Int(columnCountry[j])])
        case .regionPrior:
            return Double(regionPrior[i * context.regions + Int(columnRegion[j])])
        case .popularity:
            return Double(popularity(i, j))
        case .capitals:
            return rowIsCentre[i] ? Double(centre[j]) : 0
        case .upward:
            return (1 - Self.townValue(hromadas.populations[i])) * Self.townValue(partners.populations[j])
        case .countryLogPrior:
            return Double(countryLogPrior[i * context.countries + Int(columnCountry[j])])
        case .regionLogPrior:
            return Double(regionLogPrior[i * context.regions + Int(columnRegion[j])])
        case .areaLogPrior:
            return Double(areaLogPrior[i * context.areas + Int(columnArea[j])])
        case .km, .kmOver100, .kmOver200, .kmOver500, .kmOver1000, .kmOver2000, .ratio, .ratioOverTenth, .ratioOverEven,
             .ratioOverTenfold, .partnerOver1k, .partnerOver5k, .partnerOver20k, .partnerOver100k, .partnerOver500k:
            let (measure, knot) = c.shape!
            let x: Double
            switch measure {
            case .distance: x = max(0, log10(distance))
            case .ratio: x = log10(1 / ratio)
            case .partnerSize: x = log10(partners.populations[j])
            }
            return ScoreComponent.shaped(x, knot: knot, top: measure.top)
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x * x); nb += Double(y * y) }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }
}
