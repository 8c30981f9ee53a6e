import Foundation
import LinearAlgebra
import TwinningShared
import TwinningInput

/// Scores hromada × partner pairs with BLAS, block by block so memory stays bounded at
/// full scale, and explains any single pair in plain Swift. See “How a score is made” in the Twinning documentation.
///
/// Each component is a dot product of feature rows, taken by GEMM, then a per-element
/// transform:
/// - fit (not a component): need shares · offer levels, summed over the sectors in a fixed
///   order (no BLAS, so the same on any CPU), only for partners whose offers are real;
/// - profile similarity: unit profile vectors (sgemm);
/// - size: `exp(−|ln(p/q)| / s) = min(t, 1/t)` with `t = (p/c)^{1/s} · (c/q)^{1/s}`, a
///   rank-one product of per-row and per-column factors (c: the geometric mean
///   population, so the factors stay in range); where a small `s` could overflow the
///   factors, `exp(−|ln p − ln q| / s)` instead;
/// - proximity: the chord between unit vectors on the sphere, `|a − b|` from the
///   coordinates' differences (no cancellation, so single precision keeps towns a few
///   hundred metres apart apart), then the great-circle distance `2R·asin(chord / 2)`;
/// - ties: a look-up of the partner's tied hromadas;
/// - gravity: the distance as for proximity, then `ln(1 + d/d₀)` and the difference of the
///   log populations;
/// - town, centre: per-partner values, read in place;
/// - priors: per-hromada tables by country and by region (``ScoreContext``), gathered by
///   the partners' codes.
public struct ScoreModel: Sendable {
    public let hromadas: Registry
    public let partners: Registry
    public let weights: Weights
    /// Sectors present on both sides, in the hromada file's order.
    public let sectors: [Sector]
    public let profiles: [String]

    /// Needs as shares of the hromada's total need, and offers zeroed where they do not
    /// count (``fitFactors``), over `sectors`: their product is the fit.
    let needShares: Matrix, countedOffers: Matrix
    let rawNeeds: Matrix, rawOffers: Matrix        // the values as given, over `sectors`
    /// Per row: whether the hromada states some need; per column: why the partner's offers
    /// count or not. A pair has a fit when both hold.
    let rowHasNeeds: [Bool]
    public let offerStatus: [OfferStatus]
    /// Per row: the fit a pair without one is scored with (``ScoreContext/typicalFit``);
    /// nil when no pair of the registries has a fit, and the score is the components' alone.
    let typicalFit: [Float]?
    /// The components' score as a share of known partnerships (``Breakdown/likelihood``);
    /// nil when the context knows no tie.
    public let likelihood: LikelihoodScale?
    /// Whether some pair of the registries has a fit, so that the fit counts in scores.
    public var hasFit: Bool { typicalFit != nil }
    let profileA: Matrix, profileB: Matrix
    let size: SizeFactors
    let sphereA: MatrixD, sphereB: MatrixD
    /// The unit vectors by coordinate, in single precision (the proximity kernel reads
    /// the partners' in runs).
    let hromadaUnit: [SIMD4<Float>]
    let partnerX: [Float], partnerY: [Float], partnerZ: [Float]
    /// The known ties and the partners' places in their regions (``ScoreContext``), and
    /// where this model's rows and columns are in the registries the context was made of.
    let context: ScoreContext
    let rowHromada: [Int], columnPartner: [Int]
    /// Per column: ``ScoreComponent/town`` and ``ScoreComponent/centre``; the natural
    /// logarithm of the population (and per row the same), for gravity.
    let town: [Float], centre: [Float], logPopulationB: [Float]
    let logPopulationA: [Float]
    /// Per row: the prior components by country, region or area code (row-major).
    let countryPrior: [Float], regionPrior: [Float]
    let countryLogPrior: [Float], regionLogPrior: [Float], areaLogPrior: [Float]
    let columnCountry: [Int32], columnRegion: [Int32], columnArea: [Int32]
    /// Decimal logarithms of the populations, for the shaped components.
    let log10PopulationA: [Float], log10PopulationB: [Float]
    /// For columns whose partner has known ties: the (registry) hromadas it twins with.
    let tiedHromadas: [Int: [Int]]
    /// Those columns, ascending (``tiedColumns(in:)``).
    let tiedColumns: [Int]
    /// Per row: whether the hromada is its oblast's most populous (``ScoreComponent/capitals``).
    let rowIsCentre: [Bool]
    /// Per row: `1 − log10(population) / 6`, the hromada's own (``ScoreComponent/upward``).
    let rowSmallness: [Float]

    /// Partners scored per block: each core multiplies its share of the hromadas by a
    /// block of partners (GEMM), then transforms and hands on one hromada's run at a time.
    /// The measurements behind 4,096 are in `Benchmarks/README.md`.
    public static let blockSize = 4096
    /// Hromadas per GEMM within a block: a core's products for 64 hromadas × 4,096
    /// partners are 1 MB each, where all its hromadas at once were 10 MB each, in memory
    /// first touched (a fault and a zeroed page each 4 KB) and read back from far caches.
    public static let rowTile = 64

    /// Earth's mean radius, km.
    public static let earthRadiusKm = 6371.0088

    /// The gravity component's distance offset `d₀` (km) and its normaliser `G`:
    /// `gravity = 1 − (ln(1 + d/d₀) + a·|ln(p/q)|) / G`, with `G = ln(1 + 5000 km/d₀) +
    /// a·ln 10⁴`, so that 0 is a pair 5,000 km apart with a population ratio of 10,000.
    public static let gravityOffsetKm = 10.0
    static func gravityNormaliser(_ a: Double) -> Double { log(1 + 5000 / gravityOffsetKm) + a * log(1e4) }

    /// A model of `hromadas` against `partners`, or of their `rows` and `columns` only.
    /// - Parameters:
    ///   - hromadas: the hromadas' registry.
    ///   - partners: the partners' registry.
    ///   - weights: the components' weights and parameters.
    ///   - context: known ties and regions, made of the same `hromadas` and `partners`;
    ///     without one, the partners given are the regions' and no tie is known.
    ///   - rows: the hromadas scored, by index (all when nil); row `k` of the model is `rows[k]`.
    ///   - columns: the partners scored, by index (all when nil).
    public init(hromadas: Registry, partners: Registry, weights: Weights = .defaults, context: ScoreContext? = nil,
                rows: [Int]? = nil, columns: [Int]? = nil) {
        self.init(hromadas: hromadas, partners: partners, weights: weights, context: context, rows: rows, columns: columns, likelihood: true)
    }

    /// `likelihood`: whether to make the ``LikelihoodScale`` (the model that makes it does not).
    init(hromadas: Registry, partners: Registry, weights: Weights, context: ScoreContext?, rows: [Int]?, columns: [Int]?,
         likelihood: Bool) {
        let context = context ?? ScoreContext(hromadas: hromadas, partners: partners, priorStrength: weights[.priorStrength])
        self.likelihood = likelihood ? Self.likelihoodScale(hromadas: hromadas, partners: partners, weights: weights, context: context) : nil
        let rowHromada = rows ?? Array(0..<hromadas.count), columnPartner = columns ?? Array(0..<partners.count)
        let hromadas = rows.map(hromadas.subset) ?? hromadas, partners = columns.map(partners.subset) ?? partners
        self.context = context
        self.rowHromada = rowHromada
        self.columnPartner = columnPartner
        self.hromadas = hromadas
        self.partners = partners
        self.weights = weights
        let shared = hromadas.sectors.filter { partners.sectors.contains($0) }
        sectors = shared
        let sharedProfiles = hromadas.profiles.filter { partners.profiles.contains($0) }
        profiles = sharedProfiles
        rawNeeds = Self.select(hromadas.sectorValues, hromadas.sectors, shared)
        rawOffers = Self.select(partners.sectorValues, partners.sectors, shared)
        let fit = Self.fitFactors(needs: rawNeeds, offers: rawOffers, synthetic: partners.syntheticOffers)
        (needShares, countedOffers, rowHasNeeds, offerStatus) = fit
        typicalFit = context.typicalFit.map { t in rowHromada.map { t[$0] } }
        profileA = Self.select(hromadas.profileValues, hromadas.profiles, sharedProfiles).rowNormalized()
        profileB = Self.select(partners.profileValues, partners.profiles, sharedProfiles).rowNormalized()
        size = SizeFactors(hromadas: hromadas.populations, partners: partners.populations, scale: weights.sizeScale)
        func sphere(_ r: Registry) -> MatrixD {
            MatrixD(rows: r.count, columns: 3, storage: zip(r.latitudes, r.longitudes).flatMap { Self.unitVector(lat: $0, lon: $1) })
        }
        let a = sphere(hromadas)
        sphereA = a
        let b = sphere(partners)
        sphereB = b
        partnerX = (0..<partners.count).map { Float(b[$0, 0]) }
        partnerY = (0..<partners.count).map { Float(b[$0, 1]) }
        partnerZ = (0..<partners.count).map { Float(b[$0, 2]) }
        hromadaUnit = (0..<hromadas.count).map { SIMD4(Float(a[$0, 0]), Float(a[$0, 1]), Float(a[$0, 2]), 0) }
        town = partners.populations.map { Float(Self.townValue($0)) }
        centre = columnPartner.map { context.centre[$0] }
        logPopulationA = hromadas.populations.map { Float(log($0)) }
        logPopulationB = partners.populations.map { Float(log($0)) }
        columnCountry = columnPartner.map { context.country[$0] }
        columnRegion = columnPartner.map { context.region[$0] }
        columnArea = columnPartner.map { context.area[$0] }
        let priors = context.priors(hromadas: rowHromada)
        (countryPrior, regionPrior) = (priors.country, priors.region)
        (countryLogPrior, regionLogPrior, areaLogPrior) = (priors.countryLog, priors.regionLog, priors.areaLog)
        log10PopulationA = hromadas.populations.map { Float(log10($0)) }
        log10PopulationB = partners.populations.map { Float(log10($0)) }
        let columnOf = Dictionary(uniqueKeysWithValues: columnPartner.enumerated().map { ($1, $0) })
        var tied: [Int: [Int]] = [:]
        for t in context.ties { if let c = columnOf[t.partner] { tied[c, default: []].append(t.hromada) } }
        tiedHromadas = tied
        tiedColumns = tied.keys.sorted()
        rowIsCentre = rowHromada.map { context.oblastCentre[$0] }
        rowSmallness = hromadas.populations.map { Float(1 - Self.townValue($0)) }
    }

    static func townValue(_ population: Double) -> Double { min(1, max(0, log10(population) / 6)) }

    /// Whether a partner's offers count in its pairs' fit.
    public enum OfferStatus: Sendable, Equatable {
        /// Real offers (from sign-ups, or a registry that does not mark them synthetic).
        case counted
        /// `offers_synthetic` = 1: invented, as every volunteer's in the shipped registry.
        case synthetic
        /// Every offer 0 (or no sector in common with the hromadas).
        case none
    }

    /// The fit of row `i` with column `j` in single precision, summed over the sectors in
    /// their order: the same bits whatever the CPU (a GEMM's order is its kernels').
    @inline(__always)
    func fit(row i: Int, column j: Int) -> Float {
        var sum: Float = 0
        for s in 0..<sectors.count { sum += needShares[i, s] * countedOffers[j, s] }
        return sum
    }

    /// The columns `wanted` of a per-row matrix whose columns are `names`.
    static func select<T: Equatable>(_ m: Matrix, _ names: [T], _ wanted: [T]) -> Matrix {
        let cols = wanted.map { names.firstIndex(of: $0)! }
        var out: [Float] = []
        out.reserveCapacity(m.rows * cols.count)
        for i in 0..<m.rows { for c in cols { out.append(m[i, c]) } }
        return Matrix(rows: m.rows, columns: cols.count, storage: out)
    }

    /// Each hromada's typical fit: its fit with the average partner whose offers count,
    /// `Σₛ (nₛ / Σ n) · ōₛ` with `ō` the mean of those partners' offers (for a hromada that
    /// states no need, the mean of the others' typical fits). A pair without a fit is
    /// scored with it, so that partners whose offers are unknown or invented are neither
    /// favoured nor held back against those that signed up: fit moves a pair only by how
    /// much better or worse than typical its offers meet the hromada's needs. Nil when no
    /// partner's offers count or no hromada states a need: then no pair has a fit.
    /// Sums in double precision in row order, so the values are the same on any machine.
    static func typicalFits(hromadas: Registry, partners: Registry) -> [Float]? {
        let shared = hromadas.sectors.filter { partners.sectors.contains($0) }
        let needs = select(hromadas.sectorValues, hromadas.sectors, shared), offers = select(partners.sectorValues, partners.sectors, shared)
        let (shares, counted, hasNeeds, status) = fitFactors(needs: needs, offers: offers, synthetic: partners.syntheticOffers)
        let n = status.filter { $0 == .counted }.count, width = shared.count
        guard n > 0, hasNeeds.contains(true) else { return nil }
        var mean = [Double](repeating: 0, count: width)
        for j in 0..<counted.rows where status[j] == .counted { for s in 0..<width { mean[s] += Double(counted[j, s]) } }
        mean = mean.map { $0 / Double(n) }
        let typical = (0..<shares.rows).map { i in (0..<width).reduce(0.0) { $0 + Double(shares[i, $1]) * mean[$1] } }
        let stated = typical.indices.filter { hasNeeds[$0] }
        let overall = stated.reduce(0.0) { $0 + typical[$1] } / Double(stated.count)
        return typical.indices.map { Float(hasNeeds[$0] ? typical[$0] : overall) }
    }

    /// The factors whose product is the fit: each need divided by the hromada's total
    /// need (rows without need stay 0), and the offers, zeroed for partners whose offers
    /// do not count. The fit of a pair is then `Σₛ nₛ·oₛ / Σₛ nₛ`: the partner's offer level
    /// averaged over the hromada's needs, each weighted by how much it is needed.
    static func fitFactors(needs: Matrix, offers: Matrix, synthetic: [Bool])
        -> (Matrix, Matrix, rowHasNeeds: [Bool], status: [OfferStatus]) {
        let width = needs.columns
        var shares = [Float](repeating: 0, count: needs.rows * width), hasNeeds = [Bool](repeating: false, count: needs.rows)
        for i in 0..<needs.rows {
            let total = (0..<width).reduce(0.0) { $0 + Double(needs[i, $1]) }
            guard total > 0 else { continue }
            hasNeeds[i] = true
            for s in 0..<width { shares[i * width + s] = Float(Double(needs[i, s]) / total) }
        }
        var counted = [Float](repeating: 0, count: offers.rows * width), status = [OfferStatus](repeating: .none, count: offers.rows)
        for j in 0..<offers.rows {
            if synthetic[j] { status[j] = .synthetic; continue }
            guard (0..<width).contains(where: { offers[j, $0] > 0 }) else { continue }
            status[j] = .counted
            for s in 0..<width { counted[j * width + s] = offers[j, s] }
        }
        return (Matrix(rows: needs.rows, columns: width, storage: shares), Matrix(rows: offers.rows, columns: width, storage: counted),
                hasNeeds, status)
    }

    static func unitVector(lat: Double, lon: Double) -> [Double] {
        let phi = lat * .pi / 180, lambda = lon * .pi / 180
        return [cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi)]
    }

    /// Great-circle distance by the haversine formula, km.
    public static func haversineKm(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let p1 = lat1 * .pi / 180, p2 = lat2 * .pi / 180
        let dp = p2 - p1, dl = (lon2 - lon1) * .pi / 180
        let a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
        return 2 * earthRadiusKm * asin(min(1, a.squareRoot()))
    }

    /// The columns of `block` whose partner has known ties, as offsets from its start,
    /// ascending (a binary search of ``tiedColumns``).
    func tiedColumns(in block: Range<Int>) -> [Int] {
        func first(_ bound: Int) -> Int {
            var low = 0, high = tiedColumns.count
            while low < high { let mid = (low + high) / 2; if tiedColumns[mid] < bound { low = mid + 1 } else { high = mid } }
            return low
        }
        return tiedColumns[first(block.lowerBound)..<first(block.upperBound)].map { $0 - block.lowerBound }
    }

    /// ``ScoreComponent/popularity`` of column `j` for row `i`: the hromadas it twins
    /// with, row `i`'s own tie not counted.
    func popularity(_ i: Int, _ j: Int) -> Float {
        guard let tied = tiedHromadas[j] else { return 0 }
        let h = rowHromada[i], n = tied.count - tied.filter { $0 == h }.count
        return min(1, log2(1 + Float(n)) / 4)
    }

    /// Whether column `j`'s partner already twins with a hromada of row `i`'s oblast
    /// other than row `i`'s hromada.
    func tied(_ i: Int, _ j: Int) -> Bool {
        let h = rowHromada[i], oblast = context.oblast
        return tiedHromadas[j]?.contains { $0 != h && oblast[$0] == oblast[h] } == true
    }
}

/// Per-row and per-column factors of the size component. The product `t = a_i · b_j`
/// is the population ratio raised to `1 / s`, centred on the geometric mean population
/// so that the factors stay in single-precision range; `min(t, 1/t)` is then the
/// component. When the factors could overflow (a small scale), the logarithms are kept
/// instead and the component is `exp(−|ln p − ln q| / s)`.
struct SizeFactors: Sendable {
    let row: [Float], column: [Float]
    /// True when `row`/`column` hold `ln p / s` and `ln q / s` rather than factors.
    let logarithmic: Bool

    init(hromadas: [Double], partners: [Double], scale: Double) {
        let logs = (hromadas + partners).map { log($0) }
        let centre = logs.reduce(0, +) / Double(max(logs.count, 1))
        let spread = logs.map { abs($0 - centre) }.max() ?? 0
        // e^80 < Float.greatestFiniteMagnitude: two factors below e^40 each never overflow.
        logarithmic = spread * (1 / scale) > 40
        let inverse = 1 / scale
        if logarithmic {
            row = hromadas.map { Float((log($0) - centre) * inverse) }
            column = partners.map { Float((log($0) - centre) * inverse) }
        } else {
            row = hromadas.map { Float(exp((log($0) - centre) * inverse)) }
            column = partners.map { Float(exp((centre - log($0)) * inverse)) }
        }
    }
}
