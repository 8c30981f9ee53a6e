import Foundation
import LinearAlgebra
import TwinningShared
import TwinningInput

/// Scores hromada × partner pairs with BLAS, block by block so memory stays bounded at
/// full scale, and explains any single pair in plain Swift. See “How a score is made” in the Twinning documentation.
///
/// Each component is a dot product of feature rows, taken by GEMM, then a per-element
/// transform:
/// - needs fit: unit need vector · unit offer vector (sgemm, one column per sector);
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

    let needs: Matrix, offers: Matrix              // unit rows over `sectors`
    let rawNeeds: Matrix, rawOffers: Matrix        // the values as given, over `sectors`
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
    /// Per row: the prior components by country code and by region code (row-major).
    let countryPrior: [Float], regionPrior: [Float]
    let columnCountry: [Int32], columnRegion: [Int32]
    /// For columns whose partner has known ties: the (registry) hromadas it twins with.
    let tiedHromadas: [Int: [Int]]
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
        let context = context ?? ScoreContext(hromadas: hromadas, partners: partners, priorStrength: weights[.priorStrength])
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
        func select<T: Equatable>(_ m: Matrix, _ names: [T], _ wanted: [T]) -> Matrix {
            let cols = wanted.map { names.firstIndex(of: $0)! }
            var out: [Float] = []
            out.reserveCapacity(m.rows * cols.count)
            for i in 0..<m.rows { for c in cols { out.append(m[i, c]) } }
            return Matrix(rows: m.rows, columns: cols.count, storage: out)
        }
        rawNeeds = select(hromadas.sectorValues, hromadas.sectors, shared)
        rawOffers = select(partners.sectorValues, partners.sectors, shared)
        needs = rawNeeds.rowNormalized()
        offers = rawOffers.rowNormalized()
        profileA = select(hromadas.profileValues, hromadas.profiles, sharedProfiles).rowNormalized()
        profileB = select(partners.profileValues, partners.profiles, sharedProfiles).rowNormalized()
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
        (countryPrior, regionPrior) = context.priors(hromadas: rowHromada)
        let columnOf = Dictionary(uniqueKeysWithValues: columnPartner.enumerated().map { ($1, $0) })
        var tied: [Int: [Int]] = [:]
        for t in context.ties { if let c = columnOf[t.partner] { tied[c, default: []].append(t.hromada) } }
        tiedHromadas = tied
        rowIsCentre = rowHromada.map { context.oblastCentre[$0] }
        rowSmallness = hromadas.populations.map { Float(1 - Self.townValue($0)) }
    }

    static func townValue(_ population: Double) -> Double { min(1, max(0, log10(population) / 6)) }

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
