import Foundation
import LinearAlgebra

/// Scores hromada × partner pairs with BLAS, block by block so memory stays bounded at
/// full scale, and explains any single pair in plain Swift. See <doc:HowAScoreIsMade>.
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
/// - ties: a look-up of the partner's tied oblasts.
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
    /// Region code of each hromada, and for each partner with existing ties the sorted
    /// region codes of the hromadas it twins with (the ties component).
    let hromadaRegion: [Int32]
    let partnerTiedRegions: [Int: [Int32]]

    /// Partners scored per block: each core multiplies its share of the hromadas by a
    /// block of partners (GEMM), then transforms and hands on one hromada's run at a time.
    /// The measurements behind 4,096 are in `Benchmarks/README.md`.
    public static let blockSize = 4096

    /// Earth's mean radius, km.
    public static let earthRadiusKm = 6371.0088

    /// `partnerTiedRegions`: for a partner row, the regions (oblasts) of the hromadas it
    /// already twins with, which may lie outside `hromadas`.
    public init(hromadas: Registry, partners: Registry, weights: Weights = .defaults,
                partnerTiedRegions: [Int: Set<String>] = [:]) {
        self.hromadas = hromadas
        self.partners = partners
        self.weights = weights
        let shared = hromadas.sectors.filter { partners.sectors.contains($0) }
        sectors = shared
        let sharedProfiles = hromadas.profiles.filter { partners.profiles.contains($0) }
        profiles = sharedProfiles
        func select<T: Equatable>(_ m: Matrix, _ names: [T], _ wanted: [T]) -> Matrix {
            let cols = wanted.map { names.firstIndex(of: $0)! }
            var out = Matrix(rows: m.rows, columns: cols.count)
            for i in 0..<m.rows { for (k, c) in cols.enumerated() { out[i, k] = m[i, c] } }
            return out
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
        var codes: [String: Int32] = [:]
        func code(_ region: String) -> Int32 {
            if let c = codes[region] { return c }
            codes[region] = Int32(codes.count)
            return codes[region]!
        }
        hromadaRegion = hromadas.regions.map(code)
        self.partnerTiedRegions = partnerTiedRegions.mapValues { Set($0.map(code)).sorted() }
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

    /// Whether partner `j` already twins with a hromada of hromada `i`'s oblast.
    func tied(_ i: Int, _ j: Int) -> Bool {
        partnerTiedRegions[j]?.contains(hromadaRegion[i]) == true
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
