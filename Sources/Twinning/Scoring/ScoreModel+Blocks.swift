import Foundation
import LinearAlgebra

/// Read access to a block of scores (or of one component) that worker threads may share.
public struct SharedScores: @unchecked Sendable {
    let base: UnsafePointer<Float>
    public subscript(i: Int) -> Float { base[i] }
}

extension ScoreModel {
    /// Buffers for one block of partners, reused from block to block. The double
    /// precision product is taken a sub-block at a time, small enough to stay in cache
    /// until the transforms read it.
    struct Workspace {
        static let subBlock = 512
        var fit: Matrix, prof: Matrix, dots: MatrixD
        init(model: ScoreModel, columns b: Int) {
            let n = model.hromadas.count
            // Every product is written whole by BLAS before it is read: no zeroing.
            fit = Matrix(uninitializedRows: n, columns: b)
            prof = Matrix(uninitializedRows: n, columns: b)
            dots = MatrixD(uninitializedRows: n, columns: min(b, Self.subBlock))
        }
    }

    /// What a block computation writes: the score, or chosen components each into its
    /// own row-major buffer.
    enum BlockOutput {
        case score(UnsafeMutablePointer<Float>)
        case components([(ScoreComponent, UnsafeMutablePointer<Float>)])
    }

    /// Scores of every hromada against partners `columns`, row-major `hromadas.count × columns.count`.
    public func scores(columns: Range<Int>) -> [Float] {
        guard !columns.isEmpty, hromadas.count > 0 else { return [] }
        var workspace = Workspace(model: self, columns: columns.count)
        var out = [Float](repeating: 0, count: hromadas.count * columns.count)
        out.withUnsafeMutableBufferPointer { compute(columns: columns, workspace: &workspace, output: .score($0.baseAddress!)) }
        return out
    }

    /// Scores every pair, one block of partners at a time, handing each block to `body`
    /// as a row-major `hromadas.count × columns.count` buffer that is reused afterwards.
    /// Memory stays at one block whatever the number of partners.
    ///
    /// - Complexity: GEMMs of inner size ≤ 17 and O(n · m) transforms, on all cores.
    public func forEachBlock(blockSize: Int = ScoreModel.blockSize,
                             _ body: (_ columns: Range<Int>, _ scores: SharedScores) -> Void) {
        forEachBlock(blockSize: blockSize, buffers: 1) { columns, workspace, buffers in
            compute(columns: columns, workspace: &workspace, output: .score(buffers[0]))
            body(columns, SharedScores(base: buffers[0]))
        }
    }

    /// Each of `components` for every pair, block by block (one scoring pass for all of
    /// them: tuning and evaluation read the components, not the score).
    public func forEachBlock(components: [ScoreComponent], blockSize: Int = ScoreModel.blockSize,
                             _ body: (_ columns: Range<Int>, _ values: [ScoreComponent: SharedScores]) -> Void) {
        forEachBlock(blockSize: blockSize, buffers: components.count) { columns, workspace, buffers in
            compute(columns: columns, workspace: &workspace, output: .components(Array(zip(components, buffers))))
            var values: [ScoreComponent: SharedScores] = [:]
            for (c, b) in zip(components, buffers) { values[c] = SharedScores(base: b) }
            body(columns, values)
        }
    }

    private func forEachBlock(blockSize: Int, buffers count: Int,
                              _ body: (Range<Int>, inout Workspace, [UnsafeMutablePointer<Float>]) -> Void) {
        let n = hromadas.count, m = partners.count
        guard m > 0, n > 0 else { return }
        let width = min(blockSize, m)
        var workspace = Workspace(model: self, columns: width)
        let buffers = (0..<count).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n * width) }
        defer { buffers.forEach { $0.deallocate() } }
        var start = 0
        while start < m {
            let columns = start..<min(m, start + blockSize)
            if columns.count != workspace.fit.columns { workspace = Workspace(model: self, columns: columns.count) }
            body(columns, &workspace, buffers)
            start = columns.upperBound
        }
    }

    /// Fills `output` for partners `columns`: GEMMs for the block, then per sub-block the
    /// double-precision product and the per-pair transforms, rows split over the cores.
    func compute(columns: Range<Int>, workspace: inout Workspace, output: BlockOutput) {
        let n = hromadas.count, b = columns.count
        needs.timesTransposed(offers, rows: columns, into: &workspace.fit)
        profileA.timesTransposed(profileB, rows: columns, into: &workspace.prof)
        let plan = BlockPlan(model: self, output: output)
        let chunk = max(1, (n + 7) / 8)
        var start = 0
        while start < b {
            let width = min(Workspace.subBlock, b - start)
            let sub = (columns.lowerBound + start)..<(columns.lowerBound + start + width)
            if workspace.dots.columns != width { workspace.dots = MatrixD(uninitializedRows: n, columns: width) }
            sphereA.timesTransposed(sphereB, rows: sub, into: &workspace.dots)
            let offset = start
            workspace.fit.storage.withUnsafeBufferPointer { f in
            workspace.prof.storage.withUnsafeBufferPointer { p in
            workspace.dots.storage.withUnsafeBufferPointer { d in
                let inputs = BlockInputs(fit: f.baseAddress!, prof: p.baseAddress, dots: d.baseAddress!, blockWidth: b,
                                         offset: offset, width: width, firstColumn: sub.lowerBound,
                                         tied: (0..<width).filter { partnerTiedRegions[sub.lowerBound + $0] != nil })
                DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { c in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * Workspace.subBlock)
                    defer { scratch.deallocate() }
                    for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                        plan.row(i, inputs, scratch: scratch)
                    }
                }
            }}}
            start += width
        }
    }
}

/// Pointers into one sub-block's products, shared by the worker threads.
struct BlockInputs: @unchecked Sendable {
    let fit: UnsafePointer<Float>, prof: UnsafePointer<Float>?, dots: UnsafePointer<Double>
    /// Columns in the whole block (row stride of `fit`, `prof` and the output).
    let blockWidth: Int
    /// Where this sub-block starts inside the block, its width, and its first partner.
    let offset: Int, width: Int, firstColumn: Int
    /// Offsets of the sub-block's partners that already twin with someone: the only
    /// columns where the ties component can be non-zero.
    let tied: [Int]
}

/// How one block is turned into its output: the coefficients of the score, or the
/// components asked for.
struct BlockPlan: @unchecked Sendable {
    let model: ScoreModel
    let output: ScoreModel.BlockOutput
    /// Components in the score with their coefficients (zero-weight ones left out).
    let terms: [(ScoreComponent, Float)]
    let constant: Float
    let diameterOverL: Float

    init(model: ScoreModel, output: ScoreModel.BlockOutput) {
        self.model = model
        self.output = output
        let (coefficients, constant) = model.weights.normalised
        terms = ScoreComponent.allCases.compactMap { c in
            coefficients[c.index] == 0 ? nil : (c, Float(coefficients[c.index]))
        }
        self.constant = Float(constant)
        diameterOverL = Float(2 * ScoreModel.earthRadiusKm / model.weights.distanceScaleKm)
    }

    /// Row `i` of the sub-block.
    @inline(__always)
    func row(_ i: Int, _ x: BlockInputs, scratch: UnsafeMutablePointer<Float>) {
        let start = i * x.blockWidth + x.offset
        switch output {
        case let .score(out):
            let o = out + start
            for j in 0..<x.width { o[j] = constant }
            for (c, coefficient) in terms where c != .ties {
                let values = componentValues(c, i, x, scratch: scratch)
                accumulate(o, values, coefficient, x.width)
            }
            // Ties: non-zero only at partners that already twin with someone, added last.
            if let t = terms.first(where: { $0.0 == .ties })?.1 {
                for j in x.tied where model.tied(i, x.firstColumn + j) { o[j] += t }
            }
        case let .components(list):
            for (c, out) in list {
                let values = componentValues(c, i, x, scratch: scratch)
                (out + start).update(from: values, count: x.width)
            }
        }
    }

    /// One component of hromada `i` against the sub-block's partners: a row of a GEMM
    /// product, or computed into `scratch`.
    @inline(__always)
    func componentValues(_ c: ScoreComponent, _ i: Int, _ x: BlockInputs,
                         scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let start = i * x.blockWidth + x.offset
        switch c {
        case .needs:
            return x.fit + start
        case .profile:
            if let p = x.prof, !model.profiles.isEmpty { return p + start }
            scratch.update(repeating: 0, count: x.width)
        case .size:
            sizeValues(i, x, into: scratch)
        case .proximity:
            proximityValues(i, x, into: scratch)
        case .ties:
            scratch.update(repeating: 0, count: x.width)
            for j in x.tied where model.tied(i, x.firstColumn + j) { scratch[j] = 1 }
        }
        return UnsafePointer(scratch)
    }

    @inline(__always)
    func sizeValues(_ i: Int, _ x: BlockInputs, into out: UnsafeMutablePointer<Float>) {
        let size = model.size
        size.column.withUnsafeBufferPointer { columns in
            let s = columns.baseAddress! + x.firstColumn
            let a = size.row[i]
            var j = 0
            if size.logarithmic {
                while j + 8 <= x.width {
                    let d = SIMD8<Float>(repeating: a) - load8(s + j)
                    store8(FastMath.exp(-d.replacing(with: -d, where: d .< 0)), out + j)
                    j += 8
                }
                while j < x.width { out[j] = expf(-abs(a - s[j])); j += 1 }
            } else {
                while j + 8 <= x.width {
                    let ratio = a * load8(s + j)
                    store8(pointwiseMin(ratio, 1 / ratio), out + j)
                    j += 8
                }
                while j < x.width { let ratio = a * s[j]; out[j] = min(ratio, 1 / ratio); j += 1 }
            }
        }
    }

    @inline(__always)
    func proximityValues(_ i: Int, _ x: BlockInputs, into out: UnsafeMutablePointer<Float>) {
        let d = x.dots + i * x.width
        var j = 0
        while j + 8 <= x.width {
            let chordSquared = 2 - 2 * UnsafeRawPointer(d + j).loadUnaligned(as: SIMD8<Double>.self)
            let chord = FastMath.squareRoot(SIMD8<Float>(chordSquared))
            let half = (chord * 0.5).replacing(with: 1, where: chord .> 2)
            store8(FastMath.exp(-diameterOverL * FastMath.asin(half)), out + j)
            j += 8
        }
        while j < x.width {
            let chord = Float(max(0, 2 - 2 * d[j]).squareRoot())
            out[j] = expf(-diameterOverL * asinf(min(1, chord / 2)))
            j += 1
        }
    }

    /// `o[j] += coefficient · values[j]`.
    @inline(__always)
    func accumulate(_ o: UnsafeMutablePointer<Float>, _ values: UnsafePointer<Float>, _ coefficient: Float, _ width: Int) {
        var j = 0
        while j + 8 <= width {
            store8(load8(o + j) + coefficient * load8(values + j), o + j)
            j += 8
        }
        while j < width { o[j] += coefficient * values[j]; j += 1 }
    }
}

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
