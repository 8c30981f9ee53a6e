import Foundation
import LinearAlgebra
import TwinningShared
import TwinningInput

/// One hromada's scores against a run of consecutive partners, as the scoring pass hands
/// them on (and, when asked for, the components the scores are made of). Valid only
/// during the visit: the memory is reused for the next run.
public struct ScoreSegment: @unchecked Sendable {
    /// The hromada (row of the model).
    public let row: Int
    /// The partners (columns of the model).
    public let columns: Range<Int>
    /// `columns.count` scores.
    public let scores: UnsafePointer<Float>
    let componentValues: [UnsafePointer<Float>]
    /// With `parts` asked for: the components' score of each pair (the score before the
    /// fit is mixed in) and its fit, NaN where the pair has none.
    public let componentScores: UnsafePointer<Float>?, fits: UnsafePointer<Float>?

    /// The score of partner `columns.lowerBound + c`.
    public subscript(c: Int) -> Float { scores[c] }

    /// The values of the `k`-th component asked for, against the same partners.
    public func component(_ k: Int) -> UnsafePointer<Float> { componentValues[k] }
}

extension ScoreModel {
    /// Visits every pair's score, one hromada's run of partners at a time, on all cores.
    /// Each core takes a share of the hromadas and walks the partners block by block: one
    /// GEMM of its hromadas (``ScoreModel/rowTile`` at a time) against the block, then for
    /// each hromada the per-pair transforms into a small buffer that `visit` reads at
    /// once, still in cache. A
    /// hromada's runs arrive in partner order on one thread; different hromadas' runs
    /// arrive concurrently, so `visit` may only touch state of its own hromada. Memory
    /// stays at one block per core whatever the number of partners.
    ///
    /// - Parameters:
    ///   - columns: the partners to score (all by default).
    ///   - components: components to hand on besides the score (tuning reads them).
    ///   - blockSize: partners per GEMM; the default is measured (see `Benchmarks/README.md`).
    ///   - wanted: the hromadas to visit (all when nil). The GEMMs still cover every
    ///     hromada of a tile that holds a visited one, the same tiles as with all visited,
    ///     so a visited hromada's scores are the same to the last bit; the per-pair
    ///     transforms, most of the work, are skipped, and so are tiles with none visited.
    ///   - parts: hand on each pair's components' score and fit too (``ScoreSegment/fits``).
    ///   - visit: called once per hromada and block, on a worker thread.
    /// - Complexity: a GEMM of the profiles and O(n · m) transforms, on all cores.
    public func forEachSegment(columns: Range<Int>? = nil, components: [ScoreComponent] = [],
                               blockSize: Int = ScoreModel.blockSize, rows wanted: [Bool]? = nil, parts: Bool = false,
                               _ visit: @Sendable (ScoreSegment) -> Void) {
        let n = hromadas.count, all = columns ?? 0..<partners.count
        guard n > 0, !all.isEmpty else { return }
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, n))
        if threads > 1 { Matrix.useCallingThreadOnly() }
        let plan = SegmentPlan(model: self, requested: components, parts: parts)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let rows = (n * t / threads)..<(n * (t + 1) / threads)
            guard !rows.isEmpty else { return }
            var work = SegmentWork(rows: min(rows.count, Self.rowTile), width: min(blockSize, all.count),
                                   components: ScoreComponent.allCases.count)
            defer { work.deallocate() }
            var start = all.lowerBound
            while start < all.upperBound {
                let block = start..<min(all.upperBound, start + blockSize)
                let tied = tiedColumns(in: block)
                let counted = plan.computesFit ? (0..<block.count).filter { offerStatus[block.lowerBound + $0] == .counted } : []
                for first in stride(from: rows.lowerBound, to: rows.upperBound, by: Self.rowTile) {
                    let tile = first..<min(rows.upperBound, first + Self.rowTile)
                    if let wanted, !tile.contains(where: { wanted[$0] }) { continue }
                    plan.products(rows: tile, block: block, into: &work)
                    for (local, i) in tile.enumerated() where wanted?[i] ?? true {
                        visit(plan.segment(row: i, local: local, block: block, tied: tied, counted: counted, work: work))
                    }
                }
                start = block.upperBound
            }
        }
    }

    /// Scores of every hromada against partners `columns`, row-major `hromadas.count × columns.count`.
    public func scores(columns: Range<Int>) -> [Float] {
        let b = columns.count
        var out = [Float](repeating: 0, count: hromadas.count * b)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            forEachSegment(columns: columns) { s in
                (shared.base + s.row * b + (s.columns.lowerBound - columns.lowerBound)).update(from: s.scores, count: s.columns.count)
            }
        }
        return out
    }
}

/// Single components of a model's rows against a block of columns, computed as
/// ``ScoreModel/forEachSegment(columns:components:blockSize:rows:parts:_:)`` computes
/// them, one at a time, by one thread at a time. For passes that read most components
/// from the segments of one model and a few from another model of the same rows and
/// columns: tuning's folds differ only in what is learnt from their known ties.
package final class ComponentValues: @unchecked Sendable {
    let plan: SegmentPlan
    var work: SegmentWork

    /// A reader of `model`'s components against blocks of at most `blockSize` columns.
    package init(model: ScoreModel, blockSize: Int = ScoreModel.blockSize) {
        plan = SegmentPlan(model: model, requested: [])
        work = SegmentWork(rows: 1, width: min(blockSize, max(1, model.partners.count)), components: ScoreComponent.allCases.count)
    }

    deinit { work.deallocate() }

    /// Component `c` of row `i` against `block`: valid until the next call for the same
    /// component.
    package func values(_ c: ScoreComponent, row i: Int, block: Range<Int>) -> UnsafePointer<Float> {
        if c == .profile && plan.hasProfiles { plan.products(rows: i..<(i + 1), block: block, into: &work) }
        func half() -> UnsafePointer<Float> {
            plan.halfAngles(i, block, into: work.half)
            return UnsafePointer(work.half)
        }
        func measure(_ m: ScoreComponent.Measure) -> UnsafePointer<Float> {
            switch m {
            case .distance: plan.logKmValues(half(), block.count, into: work.logKm); return UnsafePointer(work.logKm)
            case .ratio: plan.logRatioValues(i, block, into: work.logRatio); return UnsafePointer(work.logRatio)
            case .partnerSize: return plan.model.log10PopulationB.withUnsafeBufferPointer { $0.baseAddress! + block.lowerBound }
            }
        }
        let tied = c == .ties || c == .popularity ? plan.model.tiedColumns(in: block) : []
        return plan.componentValues(c, row: i, local: 0, block: block, tied: tied, work: work, half: half, measure: measure)
    }
}

/// One core's buffers: its hromadas' GEMM products for a block, and a run's worth of
/// each component and of the score.
struct SegmentWork {
    let width: Int
    let prof: UnsafeMutablePointer<Float>
    let score: UnsafeMutablePointer<Float>
    /// A run of components' scores (``ScoreSegment/componentScores``) and of fits (NaN
    /// where the pair has none, when parts are handed on).
    let base: UnsafeMutablePointer<Float>, fit: UnsafeMutablePointer<Float>
    /// One run per component, by ``ScoreComponent/index``.
    let values: [UnsafeMutablePointer<Float>]
    /// A run of each shaped component's measure that is not per partner: `log10(km)` and
    /// the population ratio's decimal logarithm.
    let logKm: UnsafeMutablePointer<Float>, logRatio: UnsafeMutablePointer<Float>
    /// A run of half central angles (``SegmentPlan/halfAngles(_:_:into:)``), which distance,
    /// proximity and gravity all start from.
    let half: UnsafeMutablePointer<Float>
    /// Where each component of the current run is (its run buffer, or a row of a product).
    let computed: UnsafeMutablePointer<UnsafeMutablePointer<Float>>

    init(rows: Int, width: Int, components: Int) {
        self.width = width
        prof = .allocate(capacity: rows * width)
        score = .allocate(capacity: width)
        base = .allocate(capacity: width)
        fit = .allocate(capacity: width)
        logKm = .allocate(capacity: width)
        logRatio = .allocate(capacity: width)
        half = .allocate(capacity: width)
        values = (0..<components).map { _ in .allocate(capacity: width) }
        computed = .allocate(capacity: components)
        computed.initialize(from: values, count: components)
    }

    func deallocate() {
        prof.deallocate(); score.deallocate(); base.deallocate(); fit.deallocate(); logKm.deallocate(); logRatio.deallocate(); half.deallocate()
        values.forEach { $0.deallocate() }
        computed.deallocate()
    }
}

/// How runs are computed: the score's terms and the components asked for.
struct SegmentPlan: @unchecked Sendable {
    let model: ScoreModel
    /// Components in the score with their coefficients (zero-weight ones left out).
    let terms: [(ScoreComponent, Float)]
    let constant: Float
    let requested: [ScoreComponent]
    let diameterOverL: Double
    let hasProfiles: Bool
    /// Gravity: `a / G` and `1 / G`.
    let gravitySize: Float, gravityInverse: Float
    /// ``ScoreParameter/fitShare``; 0 when no partner's offers count.
    let fitShare: Float
    /// Whether runs hand on their parts; whether fits are computed (some pair has a fit,
    /// and it is mixed in or handed on).
    let parts: Bool, computesFit: Bool

    init(model: ScoreModel, requested: [ScoreComponent], parts: Bool = false) {
        self.model = model
        self.requested = requested
        self.parts = parts
        let (coefficients, constant) = model.weights.normalised
        terms = ScoreComponent.allCases.compactMap { c in
            coefficients[c.index] == 0 ? nil : (c, Float(coefficients[c.index]))
        }
        self.constant = Float(constant)
        diameterOverL = 2 * ScoreModel.earthRadiusKm / model.weights.distanceScaleKm
        hasProfiles = !model.profiles.isEmpty
        let a = model.weights[.gravitySize], g = ScoreModel.gravityNormaliser(a)
        gravitySize = Float(a / g)
        gravityInverse = Float(1 / g)
        fitShare = model.typicalFit == nil ? 0 : Float(model.weights[.fitShare])
        computesFit = model.typicalFit != nil && (fitShare > 0 || parts)
    }

    /// The GEMM products of `rows` against `block`.
    func products(rows: Range<Int>, block: Range<Int>, into work: inout SegmentWork) {
        if hasProfiles { model.profileA.timesTransposed(rows: rows, model.profileB, rows: block, into: work.prof) }
    }

    /// Hromada `i` (the `local`-th of this core's) against `block`.
    @inline(__always)
    func segment(row i: Int, local: Int, block: Range<Int>, tied: [Int], counted: [Int], work: SegmentWork) -> ScoreSegment {
        let width = block.count
        // Each component and measure at most once per run: `done` marks the ones already computed.
        var done: UInt64 = 0, measured: (distance: Bool, ratio: Bool, half: Bool) = (false, false, false), computed = work.computed
        func half() -> UnsafePointer<Float> {
            if !measured.half { halfAngles(i, block, into: work.half); measured.half = true }
            return UnsafePointer(work.half)
        }
        func measure(_ m: ScoreComponent.Measure) -> UnsafePointer<Float> {
            switch m {
            case .distance:
                if !measured.distance { logKmValues(half(), block.count, into: work.logKm); measured.distance = true }
                return UnsafePointer(work.logKm)
            case .ratio:
                if !measured.ratio { logRatioValues(i, block, into: work.logRatio); measured.ratio = true }
                return UnsafePointer(work.logRatio)
            case .partnerSize:
                return model.log10PopulationB.withUnsafeBufferPointer { $0.baseAddress! + block.lowerBound }
            }
        }
        func values(_ c: ScoreComponent) -> UnsafePointer<Float> {
            if done & (1 << c.index) != 0 { return UnsafePointer(computed[c.index]) }
            computed[c.index] = UnsafeMutablePointer(mutating: componentValues(c, row: i, local: local, block: block, tied: tied,
                                                                               work: work, half: half, measure: measure))
            done |= 1 << c.index
            return UnsafePointer(computed[c.index])
        }
        let out = work.score
        out.update(repeating: constant, count: width)
        for (c, coefficient) in terms where c != .ties { accumulate(out, values(c), coefficient, width) }
        // Ties: non-zero only at partners that already twin with someone, added last.
        if let t = terms.first(where: { $0.0 == .ties })?.1 {
            for j in tied where model.tied(i, block.lowerBound + j) { out[j] += t }
        }
        // The fits of the partners whose offers count (few, as a rule): sums in a fixed order,
        // not a GEMM, so that they are the same bits on any CPU.
        let fit = work.fit, needs = computesFit && model.rowHasNeeds[i]
        if parts {
            work.base.update(from: out, count: width)
            fit.update(repeating: .nan, count: width)
        }
        if needs { for j in counted { fit[j] = model.fit(row: i, column: block.lowerBound + j) } }
        // `(1 − share) · components + share · fit`, with the row's typical fit where the
        // pair has none (`counted` lists the block's columns whose offers count, in order).
        if fitShare > 0, let typical = model.typicalFit?[i] {
            let keep = 1 - fitShare
            var next = 0
            for j in 0..<width {
                var f = typical
                if needs && next < counted.count && counted[next] == j { f = fit[j]; next += 1 }
                out[j] = keep * out[j] + fitShare * f
            }
        }
        return ScoreSegment(row: i, columns: block, scores: UnsafePointer(out),
                            componentValues: requested.isEmpty ? [] : requested.map(values),
                            componentScores: parts ? UnsafePointer(work.base) : nil, fits: parts ? UnsafePointer(fit) : nil)
    }

    /// One component of hromada `i` against the block: a row of a GEMM product, or
    /// computed into the component's run buffer. This switch is the block form of each
    /// component; ``ScoreModel/breakdown(hromada:partner:)`` holds the single-pair form.
    @inline(__always)
    func componentValues(_ c: ScoreComponent, row i: Int, local: Int, block: Range<Int>, tied: [Int],
                         work: SegmentWork, half: () -> UnsafePointer<Float>,
                         measure: (ScoreComponent.Measure) -> UnsafePointer<Float>) -> UnsafePointer<Float> {
        let width = block.count, out = work.values[c.index]
        switch c {
        case .profile:
            if hasProfiles { return UnsafePointer(work.prof + local * width) }
            out.update(repeating: 0, count: width)
        case .size:
            sizeValues(i, block, into: out)
        case .proximity:
            proximityValues(half(), block.count, into: out)
        case .ties:
            out.update(repeating: 0, count: width)
            for j in tied where model.tied(i, block.lowerBound + j) { out[j] = 1 }
        case .gravity:
            gravityValues(i, half(), block, into: out)
        case .town:
            return model.town.withUnsafeBufferPointer { $0.baseAddress! + block.lowerBound }
        case .centre:
            return model.centre.withUnsafeBufferPointer { $0.baseAddress! + block.lowerBound }
        case .countryPrior:
            gather(model.countryPrior, row: i, stride: model.context.countries, codes: model.columnCountry, block, into: out)
        case .regionPrior:
            gather(model.regionPrior, row: i, stride: model.context.regions, codes: model.columnRegion, block, into: out)
        case .popularity:
            out.update(repeating: 0, count: width)
            for j in tied { out[j] = model.popularity(i, block.lowerBound + j) }
        case .capitals:
            guard model.rowIsCentre[i] else { out.update(repeating: 0, count: width); break }
            return model.centre.withUnsafeBufferPointer { $0.baseAddress! + block.lowerBound }
        case .upward:
            let own = model.rowSmallness[i]
            model.town.withUnsafeBufferPointer { t in for j in 0..<width { out[j] = own * t[block.lowerBound + j] } }
        case .countryLogPrior:
            gather(model.countryLogPrior, row: i, stride: model.context.countries, codes: model.columnCountry, block, into: out)
        case .regionLogPrior:
            gather(model.regionLogPrior, row: i, stride: model.context.regions, codes: model.columnRegion, block, into: out)
        case .areaLogPrior:
            gather(model.areaLogPrior, row: i, stride: model.context.areas, codes: model.columnArea, block, into: out)
        case .km, .kmOver100, .kmOver200, .kmOver500, .kmOver1000, .kmOver2000, .ratio, .ratioOverTenth, .ratioOverEven,
             .ratioOverTenfold, .partnerOver1k, .partnerOver5k, .partnerOver20k, .partnerOver100k, .partnerOver500k:
            let (m, knot) = c.shape!
            let x = measure(m), k = Float(knot), scale = Float(1 / (m.top - knot))
            var j = 0
            while j + 8 <= width {
                let v = (load8(x + j) - k) * scale
                let low = v.replacing(with: 0, where: v .< 0)
                store8(low.replacing(with: 1, where: low .> 1), out + j)
                j += 8
            }
            while j < width { out[j] = min(1, max(0, (x[j] - k) * scale)); j += 1 }
        }
        return UnsafePointer(out)
    }

    /// `log10(km)` from the half angles `half` of a run, at least 0 (1 km).
    @inline(__always)
    func logKmValues(_ half: UnsafePointer<Float>, _ width: Int, into out: UnsafeMutablePointer<Float>) {
        // log10(2R·half) = ln(half) / ln 10 + log10(2R).
        let offset = Float(log10(2 * ScoreModel.earthRadiusKm)), inverse = Float(1 / M_LN10)
        let tiny = SIMD8<Float>(repeating: Float(1 / (2 * ScoreModel.earthRadiusKm)))
        var j = 0
        while j + 8 <= width {
            let h = load8(half + j).replacing(with: tiny, where: load8(half + j) .< tiny)
            store8(FastMath.log(h) * inverse + offset, out + j)
            j += 8
        }
        while j < width { out[j] = log10f(max(half[j], tiny[0])) + offset; j += 1 }
    }

    /// `log10(partner population / hromada population)` of hromada `i` against the block.
    @inline(__always)
    func logRatioValues(_ i: Int, _ block: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let own = model.log10PopulationA[i]
        model.log10PopulationB.withUnsafeBufferPointer { logs in
            let q = logs.baseAddress! + block.lowerBound
            for j in 0..<block.count { out[j] = q[j] - own }
        }
    }

    /// `out[j] = table[row · stride + codes[j]]` over the block: a per-hromada table read
    /// by each partner's code.
    @inline(__always)
    func gather(_ table: [Float], row i: Int, stride: Int, codes: [Int32], _ block: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        table.withUnsafeBufferPointer { t in
            codes.withUnsafeBufferPointer { c in
                let row = t.baseAddress! + i * stride
                for j in 0..<block.count { out[j] = row[Int(c[block.lowerBound + j])] }
            }
        }
    }

    @inline(__always)
    func sizeValues(_ i: Int, _ block: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let size = model.size, width = block.count
        size.column.withUnsafeBufferPointer { columns in
            let s = columns.baseAddress! + block.lowerBound
            let a = size.row[i]
            var j = 0
            if size.logarithmic {
                while j + 8 <= width {
                    let d = SIMD8<Float>(repeating: a) - load8(s + j)
                    store8(FastMath.exp(-d.replacing(with: -d, where: d .< 0)), out + j)
                    j += 8
                }
                while j < width { out[j] = expf(-abs(a - s[j])); j += 1 }
            } else {
                while j + 8 <= width {
                    let ratio = a * load8(s + j), inverse = 1 / ratio
                    store8(ratio.replacing(with: inverse, where: inverse .< ratio), out + j)
                    j += 8
                }
                while j < width { let ratio = a * s[j]; out[j] = min(ratio, 1 / ratio); j += 1 }
            }
        }
    }

    /// `exp(−d / L)` with `d = 2R·asin(|a − b| / 2)`, the chord `|a − b|` taken from the
    /// differences of the unit vectors' coordinates: no cancellation, so single precision
    /// is exact to well under a kilometre (`2 − 2 a·b` in single precision would lose
    /// towns closer than a few kilometres).
    @inline(__always)
    func proximityValues(_ half: UnsafePointer<Float>, _ width: Int, into out: UnsafeMutablePointer<Float>) {
        let scale = Float(diameterOverL)
        var j = 0
        while j + 8 <= width { store8(FastMath.exp(-scale * load8(half + j)), out + j); j += 8 }
        while j < width { out[j] = expf(-scale * half[j]); j += 1 }
    }

    /// `1 − (ln(1 + d/d₀) + a·|ln p − ln q|) / G`, floored at 0 (see ``ScoreModel/gravityOffsetKm``).
    @inline(__always)
    func gravityValues(_ i: Int, _ half: UnsafePointer<Float>, _ block: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let toOffsets = Float(2 * ScoreModel.earthRadiusKm / ScoreModel.gravityOffsetKm)
        let a = model.logPopulationA[i], size = gravitySize, inverse = gravityInverse
        model.logPopulationB.withUnsafeBufferPointer { logs in
            let q = logs.baseAddress! + block.lowerBound
            var j = 0, width = block.count
            while j + 8 <= width {
                let d = SIMD8<Float>(repeating: a) - load8(q + j)
                let g = 1 - inverse * FastMath.log(1 + toOffsets * load8(half + j)) - size * d.replacing(with: -d, where: d .< 0)
                store8(g.replacing(with: 0, where: g .< 0), out + j)
                j += 8
            }
            while j < width {
                let g = 1 - inverse * logf(1 + toOffsets * half[j]) - size * abs(a - q[j])
                out[j] = max(0, g)
                j += 1
            }
        }
    }

    /// The half central angle `asin(|a − b| / 2)` between hromada `i` and each partner of
    /// the block (the distance over the diameter).
    @inline(__always)
    func halfAngles(_ i: Int, _ block: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let a = model.hromadaUnit[i], width = block.count
        let ax = SIMD8<Float>(repeating: a.x), ay = SIMD8<Float>(repeating: a.y), az = SIMD8<Float>(repeating: a.z)
        model.partnerX.withUnsafeBufferPointer { xs in
        model.partnerY.withUnsafeBufferPointer { ys in
        model.partnerZ.withUnsafeBufferPointer { zs in
            let x = xs.baseAddress! + block.lowerBound, y = ys.baseAddress! + block.lowerBound, z = zs.baseAddress! + block.lowerBound
            var j = 0
            while j + 8 <= width {
                let dx = ax - load8(x + j), dy = ay - load8(y + j), dz = az - load8(z + j)
                let chord = FastMath.squareRoot(dx * dx + dy * dy + dz * dz)
                let half = (chord * 0.5).replacing(with: 1, where: chord .> 2)
                store8(FastMath.asin(half), out + j)
                j += 8
            }
            while j < width {
                let dx = a.x - x[j], dy = a.y - y[j], dz = a.z - z[j]
                let chord = (dx * dx + dy * dy + dz * dz).squareRoot()
                out[j] = asinf(min(1, chord / 2))
                j += 1
            }
        }}}
    }
}

/// `o[j] += coefficient · values[j]` for `j < width`, eight lanes at a time.
@inlinable @inline(__always)
package func accumulate(_ o: UnsafeMutablePointer<Float>, _ values: UnsafePointer<Float>, _ coefficient: Float, _ width: Int) {
    var j = 0
    while j + 8 <= width {
        store8(load8(o + j) + coefficient * load8(values + j), o + j)
        j += 8
    }
    while j < width { o[j] += coefficient * values[j]; j += 1 }
}

@inlinable @inline(__always)
package func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
package func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
package func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
