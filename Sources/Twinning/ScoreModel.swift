import Foundation
import LinearAlgebra

/// Scores every hromada × partner pair with BLAS (SPEC §3), block by block so memory
/// stays bounded at full scale, and explains any single pair in plain Swift.
///
/// Each component is a dot product of augmented feature rows, taken by GEMM:
/// - needs fit: unit need vector · unit offer vector (sgemm, one column per sector);
/// - profile similarity: unit profile vectors (sgemm);
/// - size: `exp(−|ln(p/q)| / s) = min(t, 1/t)` with `t = (p/c)^{1/s} · (c/q)^{1/s}`, a
///   rank-one (k = 1) product of per-row and per-column factors (c: the geometric mean
///   population, so the factors stay in range), taken inside the transform pass;
/// - proximity: the chord between unit vectors on the sphere, `|a − b|² = 2 − 2 a·b`
///   (dgemm), then the great-circle distance `2R·asin(chord / 2)`.
/// Only the per-element transforms (exp, asin, square root, min) run in Swift, O(n·m).
public struct ScoreModel: Sendable {
    public let hromadas: Registry
    public let partners: Registry
    public let weights: Weights
    /// Sectors present on both sides, in the hromada file's order.
    public let sectors: [String]
    /// Sectors present on one side only: reported, not used.
    public let unmatchedSectors: [String]
    public let profiles: [String]

    let needs: Matrix, offers: Matrix              // unit rows over `sectors`
    let rawNeeds: Matrix, rawOffers: Matrix        // the values as given, over `sectors`
    let profileA: Matrix, profileB: Matrix
    /// `(p/c)^{1/s}` per hromada and `(c/q)^{1/s}` per partner: their product is the
    /// population ratio raised to `1/s`.
    let sizeRow: [Float], sizeColumn: [Float]
    let sphereA: MatrixD, sphereB: MatrixD
    /// Partner index → oblasts (regions) of hromadas it already twins with.
    let tiedRegions: [Int: Set<String>]

    /// Partners scored per block. The single-precision GEMMs run on whole blocks, where
    /// larger is faster (sgemm, k = 32, 1,470 rows, measured here: 256 columns 15–29
    /// GFLOP/s, 4,096 columns 35–48, 16,384 columns 41–49); the double-precision product
    /// and the transforms go 512 columns at a time inside a block, to stay in cache. Whole
    /// scoring was fastest at 4,096 of these three sizes that keep GEMM near numpy
    /// (1,470 × 98,613: 1.2–1.5 s against 1.5–2.1 s at 16,384).
    public static let blockSize = 4096

    /// Earth's mean radius, km.
    public static let earthRadiusKm = 6371.0088

    /// `ties` are existing partnerships by row index, for the ties component.
    public init(hromadas: Registry, partners: Registry, weights: Weights = .defaults, ties: [(hromada: Int, partner: Int)] = []) {
        var tied: [Int: Set<String>] = [:]
        for t in ties { tied[t.partner, default: []].insert(hromadas.regions[t.hromada]) }
        self.init(hromadas: hromadas, partners: partners, weights: weights, partnerTiedRegions: tied)
    }

    /// `partnerTiedRegions`: for a partner row, the regions (oblasts) of the hromadas it
    /// already twins with, which may lie outside `hromadas`.
    public init(hromadas: Registry, partners: Registry, weights: Weights, partnerTiedRegions: [Int: Set<String>]) {
        self.hromadas = hromadas
        self.partners = partners
        self.weights = weights
        let shared = hromadas.sectors.filter { partners.sectors.contains($0) }
        sectors = shared
        unmatchedSectors = (hromadas.sectors + partners.sectors).filter { !shared.contains($0) }
        let sharedProfiles = hromadas.profiles.filter { partners.profiles.contains($0) }
        profiles = sharedProfiles
        func select(_ m: Matrix, _ names: [String], _ wanted: [String]) -> Matrix {
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
        // Centre the log populations so the factors stay within Float's range; a product
        // that still overflows (or underflows) gives min(t, 1/t) = 0, its right limit.
        let logs = (hromadas.populations + partners.populations).map { log($0) }
        let centre = logs.reduce(0, +) / Double(max(logs.count, 1))
        let inverseScale = 1 / weights.sizeScale
        sizeRow = hromadas.populations.map { Float(exp((log($0) - centre) * inverseScale)) }
        sizeColumn = partners.populations.map { Float(exp((centre - log($0)) * inverseScale)) }
        func sphere(_ r: Registry) -> MatrixD {
            MatrixD(rows: r.count, columns: 3, storage: zip(r.latitudes, r.longitudes).flatMap { Self.unitVector(lat: $0, lon: $1) })
        }
        sphereA = sphere(hromadas)
        sphereB = sphere(partners)
        tiedRegions = partnerTiedRegions
    }

    static func unitVector(lat: Double, lon: Double) -> [Double] {
        let phi = lat * .pi / 180, lambda = lon * .pi / 180
        return [cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi)]
    }

    /// Scores of every hromada against partners `columns`, row-major `hromadas.count × columns.count`.
    ///
    /// - Complexity: four GEMMs of inner size ≤ 17, then O(n · columns) transforms, run on
    ///   all cores.
    public func scores(columns: Range<Int>) -> [Float] {
        var workspace = Workspace(model: self, columns: columns.count)
        var out = [Float](repeating: 0, count: hromadas.count * columns.count)
        scores(columns: columns, workspace: &workspace, into: &out)
        return out
    }

    /// Buffers for one block of scores, reused from block to block. The two double
    /// precision products are taken a sub-block at a time, small enough to stay in cache
    /// until the transforms read them.
    struct Workspace {
        static let subBlock = 512
        var fit: Matrix, prof: Matrix, dots: MatrixD
        init(model: ScoreModel, columns b: Int) {
            let n = model.hromadas.count, sb = min(b, Self.subBlock)
            fit = Matrix(rows: n, columns: b); prof = Matrix(rows: n, columns: b)
            dots = MatrixD(rows: n, columns: sb)
        }
    }

    func scores(columns: Range<Int>, workspace: inout Workspace, into out: inout [Float]) {
        let n = hromadas.count, b = columns.count
        needs.timesTransposed(offers, rows: columns, into: &workspace.fit)
        profileA.timesTransposed(profileB, rows: columns, into: &workspace.prof)
        let form = ScoreForm(weights)
        let diameterOverL = Float(2 * Self.earthRadiusKm / weights.distanceScaleKm)
        let hasProfiles = !profiles.isEmpty
        let chunk = max(1, (n + 7) / 8)
        var start = 0
        while start < b {
            let width = min(Workspace.subBlock, b - start)
            let sub = (columns.lowerBound + start)..<(columns.lowerBound + start + width)
            if workspace.dots.columns != width { workspace.dots = MatrixD(rows: n, columns: width) }
            sphereA.timesTransposed(sphereB, rows: sub, into: &workspace.dots)
            let fit = workspace.fit, prof = workspace.prof, dots = workspace.dots
            let offset = start
            out.withUnsafeMutableBufferPointer { o in
                let o = SharedBuffer(o)
                fit.storage.withUnsafeBufferPointer { f in
                prof.storage.withUnsafeBufferPointer { p in
                sizeColumn.withUnsafeBufferPointer { s in
                dots.storage.withUnsafeBufferPointer { d in
                    let f = SharedBuffer(f), s = SharedBuffer(s), d = SharedBuffer(d)
                    let sizeRow = self.sizeRow
                    let p: SharedBuffer<Float>? = hasProfiles ? SharedBuffer(p) : nil
                    DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { c in
                        for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                            let row = i * b + offset, subRow = i * width, column = columns.lowerBound + offset
                            let factor = sizeRow[i]
                            var j = 0
                            // Eight pairs at a time.
                            while j + 8 <= width {
                                let k = row + j, ks = subRow + j
                                let cN = load8(f, k), cP = p.map { load8($0, k) } ?? SIMD8<Float>()
                                let ratio = factor * load8(s, column + j)
                                let chordSquared = 2 - 2 * load8(d, ks)
                                let cS = pointwiseMin(ratio, 1 / ratio)
                                let chord = FastMath.squareRoot(SIMD8<Float>(chordSquared))
                                let half = (chord * 0.5).replacing(with: 1, where: chord .> 2)
                                let cD = FastMath.exp(-diameterOverL * FastMath.asin(half))
                                let score = form.constant + form.needs * cN + form.profile * cP + form.size * cS + form.proximity * cD
                                UnsafeMutableRawPointer(o.base + k).storeBytes(of: score, as: SIMD8<Float>.self)
                                j += 8
                            }
                            while j < width {
                                let k = row + j, ks = subRow + j
                                let cN = f[k], cP: Float = p?[k] ?? 0
                                let ratio = factor * s[column + j]
                                let cS = min(ratio, 1 / ratio)
                                let chord = Float(max(0, 2 - 2 * d[ks]).squareRoot())
                                let cD = expf(-diameterOverL * asinf(min(1, chord / 2)))
                                o[k] = form.constant + form.needs * cN + form.profile * cP + form.size * cS + form.proximity * cD
                                j += 1
                            }
                        }
                    }
                }}}}
            }
            start += width
        }
        // Partners in this block that already twin with someone: the only columns where
        // the ties component can be non-zero.
        let tiedColumns = (0..<b).compactMap { j in tiedRegions[columns.lowerBound + j].map { (j, $0) } }
        if !tiedColumns.isEmpty && form.ties != 0 {
            for i in 0..<n {
                let region = hromadas.regions[i]
                for (j, regions) in tiedColumns where regions.contains(region) { out[i * b + j] += form.ties }
            }
        }
    }

    /// The `k` best partners of every hromada among `candidates` (all partners when nil),
    /// best first, ties broken by lower partner index. Blocks of partners are scored in
    /// turn and only a k-element selection per hromada is kept, so memory stays bounded.
    ///
    /// - Complexity: the scoring of every pair, plus O(n · m · log k) selection at worst.
    public func topCandidates(k: Int, candidates: [Bool]? = nil, blockSize: Int = ScoreModel.blockSize) -> [[Candidate]] {
        let n = hromadas.count
        var heaps = [TopK](repeating: TopK(capacity: k), count: n)
        heaps.withUnsafeMutableBufferPointer { h in
            let h = SharedBuffer(h)
            forEachBlock(blockSize: blockSize) { columns, s in
                let b = columns.count
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    for i in stride(from: part, to: n, by: 2) {
                        let heap = h.base + i
                        // Partners arrive in index order, so once the selection is full
                        // only a strictly higher score can enter it.
                        var bar = heap.pointee.entryBar
                        for j in 0..<b where s[i * b + j] > bar {
                            let partner = columns.lowerBound + j
                            if let candidates, !candidates[partner] { continue }
                            heap.pointee.offer(Candidate(partner: partner, score: s[i * b + j]))
                            bar = heap.pointee.entryBar
                        }
                    }
                }
            }
        }
        return heaps.map { $0.sorted() }
    }

    /// Scores every pair, one block of partners at a time, handing each block to `body`
    /// as a row-major `hromadas.count × columns.count` buffer that is reused afterwards.
    /// Memory stays at one block whatever the number of partners.
    public func forEachBlock(blockSize: Int = ScoreModel.blockSize,
                             _ body: (_ columns: Range<Int>, _ scores: SharedScores) -> Void) {
        let n = hromadas.count, m = partners.count
        guard m > 0 else { return }
        var workspace = Workspace(model: self, columns: min(blockSize, m))
        var block = [Float](repeating: 0, count: n * min(blockSize, m))
        var start = 0
        while start < m {
            let columns = start..<min(m, start + blockSize)
            if columns.count != workspace.fit.columns {
                workspace = Workspace(model: self, columns: columns.count)
                block = [Float](repeating: 0, count: n * columns.count)
            }
            scores(columns: columns, workspace: &workspace, into: &block)
            block.withUnsafeBufferPointer { body(columns, SharedScores(base: $0.baseAddress!)) }
            start = columns.upperBound
        }
    }

    /// Every component of one pair, computed directly (no BLAS): the explanation, and the
    /// reference the BLAS path is tested against.
    public func breakdown(hromada i: Int, partner j: Int) -> Breakdown {
        func cosine(_ a: [Float], _ b: [Float]) -> Double {
            var dot = 0.0, na = 0.0, nb = 0.0
            for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x * x); nb += Double(y * y) }
            return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
        }
        let need = (0..<sectors.count).map { rawNeeds[i, $0] }, offer = (0..<sectors.count).map { rawOffers[j, $0] }
        let ratio = hromadas.populations[i] / partners.populations[j]
        let distance = Self.haversineKm(lat1: hromadas.latitudes[i], lon1: hromadas.longitudes[i],
                                        lat2: partners.latitudes[j], lon2: partners.longitudes[j])
        let profileCos: Double
        if profiles.isEmpty { profileCos = 0 } else {
            let a = profiles.map { hromadas.profileValues[i, hromadas.profiles.firstIndex(of: $0)!] }
            let b = profiles.map { partners.profileValues[j, partners.profiles.firstIndex(of: $0)!] }
            profileCos = cosine(a, b)
        }
        let tie = tiedRegions[j]?.contains(hromadas.regions[i]) == true ? 1.0 : 0.0
        let w = weights
        func component(_ name: String, _ value: Double, _ weight: Double) -> Breakdown.Component {
            let oriented: Double = weight < 0 ? 1 - value : value
            let share: Double = abs(weight) * oriented / w.total
            return Breakdown.Component(name: name, value: value, weight: weight, contribution: share)
        }
        let sizeValue: Double = exp(-abs(log(ratio)) / w.sizeScale)
        let proximityValue: Double = exp(-distance / w.distanceScaleKm)
        let components: [Breakdown.Component] = [
            component("needs", cosine(need, offer), w.needs),
            component("profile", profileCos, w.profile),
            component("size", sizeValue, w.size),
            component("proximity", proximityValue, w.proximity),
            component("ties", tie, w.ties),
        ]
        var matches: [Breakdown.SectorMatch] = []
        for (k, sector) in sectors.enumerated() where need[k] * offer[k] > 0 {
            matches.append(Breakdown.SectorMatch(sector: sector, need: Double(need[k]), offer: Double(offer[k])))
        }
        matches.sort { a, b in
            let x = a.need * a.offer, y = b.need * b.offer
            return x > y || (x == y && a.sector < b.sector)
        }
        let sectorsRanked = Array(matches.prefix(3))
        return Breakdown(score: components.reduce(0) { $0 + $1.contribution }, components: components,
                         topSectors: sectorsRanked,
                         sizeRatio: ratio, distanceKm: distance)
    }

    /// Great-circle distance by the haversine formula, km.
    public static func haversineKm(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let p1 = lat1 * .pi / 180, p2 = lat2 * .pi / 180
        let dp = p2 - p1, dl = (lon2 - lon1) * .pi / 180
        let a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
        return 2 * earthRadiusKm * asin(min(1, a.squareRoot()))
    }
}

/// The score as an affine function of the components: `constant + Σ coefficient · c`,
/// with a negative weight `w` turned into `|w|·(1 − c)`, all divided by `Σ |w|`.
struct ScoreForm {
    let constant: Float, needs: Float, profile: Float, size: Float, proximity: Float, ties: Float

    init(_ w: Weights) {
        let total = w.total
        func coefficient(_ x: Double) -> Float { Float(x / total) }   // +|w| or −|w| per unit of c
        needs = coefficient(w.needs); profile = coefficient(w.profile); size = coefficient(w.size)
        proximity = coefficient(w.proximity); ties = coefficient(w.ties)
        let negatives = [w.needs, w.profile, w.size, w.proximity, w.ties].filter { $0 < 0 }.reduce(0, +)
        constant = Float(-negatives / total)
    }
}

@inline(__always)
func load8(_ p: SharedBuffer<Float>, _ k: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p.base + k).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ p: SharedBuffer<Double>, _ k: Int) -> SIMD8<Double> {
    UnsafeRawPointer(p.base + k).loadUnaligned(as: SIMD8<Double>.self)
}

/// Read access to a block of scores that worker threads may share.
public struct SharedScores: @unchecked Sendable {
    let base: UnsafePointer<Float>
    public subscript(i: Int) -> Float { base[i] }
}

/// A scored partner of one hromada.
public struct Candidate: Sendable, Equatable {
    public let partner: Int
    public let score: Float
    /// Better: higher score, then lower index.
    static func better(_ a: Candidate, _ b: Candidate) -> Bool {
        a.score > b.score || (a.score == b.score && a.partner < b.partner)
    }
}

/// Why a pair scores what it does (SPEC §5).
public struct Breakdown: Sendable {
    public struct Component: Sendable {
        public let name: String
        /// The component in [0, 1].
        public let value: Double
        public let weight: Double
        /// Its share of the score.
        public var contribution: Double = 0
    }
    public struct SectorMatch: Sendable {
        public let sector: String
        public let need: Double
        public let offer: Double
    }
    public let score: Double
    public let components: [Component]
    /// Up to three sectors where need × offer is largest.
    public let topSectors: [SectorMatch]
    /// Hromada population / partner population.
    public let sizeRatio: Double
    public let distanceKm: Double
}

/// A bounded selection of the best candidates: a binary min-heap on "better".
struct TopK: Sendable {
    let capacity: Int
    private(set) var heap: [Candidate] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func offer(_ c: Candidate) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(c)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard Candidate.better(heap[parent], heap[i]) else { break }
                heap.swapAt(parent, i); i = parent
            }
        } else if Candidate.better(c, heap[0]) {
            heap[0] = c
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count, Candidate.better(heap[worst], heap[l]) { worst = l }
                if r < heap.count, Candidate.better(heap[worst], heap[r]) { worst = r }
                if worst == i { break }
                heap.swapAt(i, worst); i = worst
            }
        }
    }

    func sorted() -> [Candidate] { heap.sorted(by: Candidate.better) }

    /// Scores at or below this cannot enter (−∞ while there is room).
    var entryBar: Float { heap.count < capacity ? -.infinity : heap[0].score }
}

