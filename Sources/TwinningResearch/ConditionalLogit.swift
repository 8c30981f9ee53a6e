import Foundation
import LinearAlgebra
import TwinningShared
import TwinningInput
import TwinningScoring

/// A conditional logit over each hromada's candidates: the probability that hromada `h`
/// chose partner `j` among all of them is `exp(β·x_hj) / Σ_k exp(β·x_hk)`, with `x` the
/// score components of the pair. Every true pair is one choice. Fitted by Newton's method
/// on the log-likelihood (LAPACK solves), in streaming passes over the candidates: one pass
/// gives the log-likelihood, its gradient `Σ (x_t − E[x])` and its Hessian `−Σ Cov[x]`,
/// from per-hromada running sums `Σ e^u`, `Σ e^u·x` and `Σ e^u·x·xᵀ` (kept relative to the
/// largest `u` seen, so nothing overflows). A segment's sums are one Gram matrix taken by
/// BLAS: of the rows `√e^u` and `√e^u ⊙ x_c`.
///
/// A linear score `Σ wₖ·cₖ` with `w = β` ranks every hromada's candidates exactly as the
/// fitted probabilities do, so `β` is written as the weights.
public enum ConditionalLogit {
    public struct Fit: Sendable {
        /// One per component fitted, in the order given.
        public let coefficients: [Double]
        public let logLikelihood: Double
        /// The single-precision Newton steps taken (0 when the steps from a given Hessian
        /// converged alone).
        public let iterations: Int
        /// Whether the last double-precision step moved no coefficient by more than the
        /// fit's tolerance.
        public let converged: Bool
        /// The last (negative) Hessian taken, K × K: a fit on similar data can start its
        /// steps from it and save the single-precision passes.
        public let hessian: [Double]
    }

    /// Sums of one pass at `beta`.
    struct Pass {
        var logLikelihood = 0.0
        var gradient: [Double]
        var hessian: [Double]      // K × K, the negative Hessian (a covariance sum)
    }

    /// Fits `components` on the choices `pairs` (rows and columns of `model`, whose rows are
    /// the choosing hromadas and whose columns are every candidate).
    /// - Parameter model: the choosing hromadas against every candidate.
    /// - Parameter components: the components fitted, one coefficient each.
    /// - Parameter pairs: the choices: a row of `model` and the partner it chose.
    /// - Parameter maxIterations: the most single-precision Newton steps.
    /// - Parameter ridge: added to the Hessian's diagonal per choice, so a component that
    ///   never varies (no known tie in a fold) gets a coefficient of 0, not a singular solve.
    /// - Parameter start: the coefficients to start from (0 by default); a fit on similar
    ///   data (the fit on every pair, for a fold) saves most of the Newton steps.
    /// - Parameter tolerance: the double-precision steps stop below it (``polishTolerance``
    ///   by default, for weights that are written; a fit only measured on held-out pairs
    ///   can stop sooner).
    /// - Parameter hessian: with `start`, the Hessian of a fit on similar data
    ///   (``Fit/hessian``): the steps start from it, without a single-precision pass, and
    ///   take a fresh one only if they shrink slowly.
    public static func fit(model: ScoreModel, components: [ScoreComponent], pairs: [(row: Int, partner: Int)],
                           start: [Double]? = nil, hessian: [Double]? = nil, ridge: Double = 1e-6, maxIterations: Int = 30,
                           tolerance: Double = polishTolerance) -> Fit {
        let k = components.count
        var beta = start ?? [Double](repeating: 0, count: k)
        guard k > 0, !pairs.isEmpty else { return Fit(coefficients: beta, logLikelihood: 0, iterations: 0, converged: true, hessian: []) }
        // From a given Hessian, the polish's steps alone; where they stall (a start too far
        // for a Hessian taken elsewhere), single-precision Newton steps from where they got.
        if start != nil, let hessian, hessian.count == k * k {
            let p = polish(beta, hessian: hessian, model: model, components: components, pairs: pairs, ridge: ridge, tolerance: tolerance)
            if p.converged {
                return Fit(coefficients: p.coefficients, logLikelihood: p.logLikelihood, iterations: 0, converged: true, hessian: p.hessian)
            }
            beta = p.coefficients
        }
        var current = pass(model: model, components: components, pairs: pairs, beta: beta)
        var iterations = 0
        // Single-precision Newton steps while the optimum is far (a cold start); near it, the
        // polish's cheaper steps, which need no Hessian pass, take over.
        while iterations < maxIterations {
            guard var step = newtonStep(current, beta, ridge: ridge, n: pairs.count) else { break }
            if step.map(abs).max()! < newtonTolerance { break }
            iterations += 1
            // Halve the step until the (penalised) log-likelihood does not fall.
            var accepted = false
            for _ in 0..<20 {
                let next = zip(beta, step).map(+)
                let trial = pass(model: model, components: components, pairs: pairs, beta: next)
                if penalised(trial, next, ridge, pairs.count) >= penalised(current, beta, ridge, pairs.count) - 1e-9 * abs(current.logLikelihood) {
                    beta = next
                    current = trial
                    accepted = true
                    break
                }
                step = step.map { $0 / 2 }
            }
            if !accepted { break }
        }
        let p = polish(beta, hessian: current.hessian, model: model, components: components, pairs: pairs, ridge: ridge, tolerance: tolerance)
        return Fit(coefficients: p.coefficients, logLikelihood: p.logLikelihood, iterations: iterations, converged: p.converged, hessian: p.hessian)
    }

    /// The Newton step from `beta`: `(H + λn·I)⁻¹ (g − λn·β)`.
    static func newtonStep(_ p: Pass, _ beta: [Double], ridge: Double, n: Int) -> [Double]? {
        let k = beta.count
        var h = p.hessian
        for d in 0..<k { h[d * k + d] += ridge * Double(n) }
        let g = zip(p.gradient, beta).map { $0 - ridge * Double(n) * $1 }
        return MatrixD(rows: k, columns: k, storage: h).leastSquares(g)
    }

    /// The passes of ``fit(model:components:pairs:start:ridge:maxIterations:)`` sum in single
    /// precision (BLAS Gram matrices whose order depends on the CPU's kernels), which leaves
    /// the optimum uncertain in about the fifth digit. These last steps solve gradient = 0
    /// with the gradient summed in double precision in one fixed order, so the coefficients
    /// no longer depend on the CPU, the thread count or the start; the Hessian (which only
    /// sets the step, not the point it converges to) is the last single-precision one,
    /// corrected by each step's change of gradient (``bfgs(_:step:change:)``).
    static func polish(_ start: [Double], hessian: [Double], model: ScoreModel, components: [ScoreComponent],
                       pairs: [(row: Int, partner: Int)], ridge: Double,
                       tolerance: Double = polishTolerance) -> (coefficients: [Double], logLikelihood: Double, hessian: [Double], converged: Bool) {
        let k = components.count, n = Double(pairs.count)
        func curvature(_ hessian: [Double]) -> MatrixD {
            var h = hessian
            for d in 0..<k { h[d * k + d] += ridge * n }
            return MatrixD(rows: k, columns: k, storage: h)
        }
        func penalised(_ e: (logLikelihood: Double, gradient: [Double]), _ beta: [Double]) -> Double {
            e.logLikelihood - 0.5 * ridge * n * beta.reduce(0) { $0 + $1 * $1 }
        }
        // The gradient of the penalised log-likelihood.
        func slope(_ e: (logLikelihood: Double, gradient: [Double]), _ beta: [Double]) -> [Double] {
            zip(e.gradient, beta).map { $0 - ridge * n * $1 }
        }
        var h = curvature(hessian), fresh = false, last = hessian, converged = false
        var beta = start
        var exact = exactGradient(model: model, components: components, pairs: pairs, beta: beta)
        var previous = Double.infinity
        for _ in 0..<polishSteps {
            guard let step = h.leastSquares(slope(exact, beta)) else { break }
            let largest = step.map(abs).max()!
            guard largest.isFinite else { break }
            if largest < tolerance { converged = true; break }
            // A Hessian from further away makes the steps shrink slowly, or overshoot: take a
            // fresh one here (one single-precision pass) and step again.
            let next = zip(beta, step).map(+)
            let trial = exactGradient(model: model, components: components, pairs: pairs, beta: next)
            let worse = penalised(trial, next) < penalised(exact, beta) - 1e-12 * abs(exact.logLikelihood)
            if worse || (largest > 0.1 * previous && !fresh) {
                if !fresh {
                    last = pass(model: model, components: components, pairs: pairs, beta: beta).hessian
                    h = curvature(last)
                    fresh = true
                    if worse { continue }
                } else if worse { break }
            } else {
                fresh = false
            }
            // BFGS: the curvature met along the step, `y = g(β) − g(β + s)` (the penalised
            // gradient falls along a step of a concave function), corrects `h` there, so the
            // steps from a Hessian taken elsewhere converge faster than linearly.
            h = bfgs(h, step: step, change: zip(slope(exact, beta), slope(trial, next)).map(-))
            beta = next
            exact = trial
            previous = largest
        }
        return (beta, exact.logLikelihood, last, converged)
    }

    /// The BFGS update of the curvature `h` (the negative Hessian, penalty included) by a
    /// step `s` along which the gradient fell by `y`: `h − h s sᵀ h / sᵀh s + y yᵀ / yᵀ s`,
    /// left as it is when `yᵀ s` is not positive (no curvature to learn from).
    static func bfgs(_ h: MatrixD, step s: [Double], change y: [Double]) -> MatrixD {
        let k = s.count
        var hs = [Double](repeating: 0, count: k)
        for r in 0..<k { for c in 0..<k { hs[r] += h.storage[r * k + c] * s[c] } }
        let shs = zip(s, hs).reduce(0) { $0 + $1.0 * $1.1 }, ys = zip(y, s).reduce(0) { $0 + $1.0 * $1.1 }
        guard shs > 0, ys > 0 else { return h }
        var out = h.storage
        for r in 0..<k { for c in 0..<k { out[r * k + c] += y[r] * y[c] / ys - hs[r] * hs[c] / shs } }
        return MatrixD(rows: k, columns: k, storage: out)
    }

    /// The most double-precision steps at the end of a fit, and the step size below which
    /// they stop: five orders of magnitude below the 4 decimals weights are written with.
    static let polishSteps = 30
    /// The Newton steps in single precision stop once none would move a coefficient by more
    /// than this: the polish's steps (cheaper, without a Hessian pass) take it from there.
    static let newtonTolerance = 0.05
    public static let polishTolerance = 1e-9

    /// The log-likelihood and its gradient at `beta`, summed in double precision in one
    /// order that depends on nothing but the data: each hromada's partners ascending,
    /// within a segment one after the other and segments merged in partner order, the
    /// components in the order given. No BLAS call, so no CPU-dependent kernel.
    static func exactGradient(model: ScoreModel, components: [ScoreComponent], pairs: [(row: Int, partner: Int)],
                              beta: [Double]) -> (logLikelihood: Double, gradient: [Double]) {
        let k = components.count, rows = model.hromadas.count
        // Per row: the running maximum M of u, Σ e^(u−M), Σ e^(u−M)·x (K).
        let stride = 2 + k
        var sums = [Double](repeating: 0, count: rows * stride)
        for r in 0..<rows { sums[r * stride] = -.infinity }
        var chosen = [Double](repeating: 0, count: pairs.count * (k + 1))
        let byRow = Dictionary(grouping: pairs.indices, by: { pairs[$0].row })
        sums.withUnsafeMutableBufferPointer { sumsBuffer in
        chosen.withUnsafeMutableBufferPointer { chosenBuffer in
            let sums = SharedBuffer(sumsBuffer), chosen = SharedBuffer(chosenBuffer)
            model.forEachSegment(components: components) { s in
                guard let mine = byRow[s.row] else { return }
                let width = s.columns.count
                let x = (0..<k).map { s.component($0) }
                withUnsafeTemporaryAllocation(of: Double.self, capacity: width + k) { buffer in
                    let u = buffer.baseAddress!, partial = u + width
                    // u = Σ_c β_c·x_c, components in order, eight partners at a time (held in
                    // registers over the components), and the largest u.
                    let whole = width - width % 8
                    var top = -Double.infinity, j = 0
                    beta.withUnsafeBufferPointer { b in
                    x.withUnsafeBufferPointer { x in
                        while j < whole {
                            var v = SIMD8<Double>()
                            for c in 0..<k { v = v + SIMD8<Double>(repeating: b[c]) * widened(x[c] + j) }
                            UnsafeMutableRawPointer(u + j).storeBytes(of: v, as: SIMD8<Double>.self)
                            j += 8
                        }
                        while j < width {
                            var v = 0.0
                            for c in 0..<k { v += b[c] * Double(x[c][j]) }
                            u[j] = v
                            j += 1
                        }
                    }}
                    for j in 0..<width { top = max(top, u[j]) }
                    for t in mine where s.columns.contains(pairs[t].partner) {
                        let local = pairs[t].partner - s.columns.lowerBound
                        chosen[t * (k + 1)] = u[local]
                        for c in 0..<k { chosen[t * (k + 1) + 1 + c] = Double(x[c][local]) }
                    }
                    j = 0
                    let top8 = SIMD8<Double>(repeating: top)
                    while j < whole {
                        let e = FastMath.exp(UnsafeRawPointer(u + j).loadUnaligned(as: SIMD8<Double>.self) - top8)
                        UnsafeMutableRawPointer(u + j).storeBytes(of: e, as: SIMD8<Double>.self)
                        j += 8
                    }
                    while j < width { u[j] = FastMath.exp(SIMD8<Double>(repeating: u[j] - top))[0]; j += 1 }
                    let total = laneSum(u, nil, width)
                    for c in 0..<k { partial[c] = laneSum(u, x[c], width) }
                    let base = sums.base + s.row * stride
                    let m = base[0], newTop = max(m, top)
                    let old = m == -.infinity ? 0 : exp(m - newTop), add = exp(top - newTop)
                    base[0] = newTop
                    base[1] = base[1] * old + total * add
                    for c in 0..<k { base[2 + c] = base[2 + c] * old + partial[c] * add }
                }
            }
        }}
        var logLikelihood = 0.0, gradient = [Double](repeating: 0, count: k)
        for t in pairs.indices {
            let base = pairs[t].row * stride, z = sums[base + 1], w = 1 / Double(byRow[pairs[t].row]!.count)
            logLikelihood += w * (chosen[t * (k + 1)] - (sums[base] + log(z)))
            for c in 0..<k { gradient[c] += w * (chosen[t * (k + 1) + 1 + c] - sums[base + 2 + c] / z) }
        }
        return (logLikelihood, gradient)
    }

    /// Eight floats from `p` as doubles.
    @inline(__always)
    static func widened(_ p: UnsafePointer<Float>) -> SIMD8<Double> {
        SIMD8<Double>(Double(p[0]), Double(p[1]), Double(p[2]), Double(p[3]), Double(p[4]), Double(p[5]), Double(p[6]), Double(p[7]))
    }

    /// `Σ_j a[j]·b[j]` (or `Σ a[j]`) in one fixed order, whatever the CPU: eight lanes,
    /// lane `l` summing the `j ≡ l (mod 8)` in order, added lane 0 to 7, then the `j` past
    /// the last eight.
    @inline(__always)
    static func laneSum(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Float>?, _ width: Int) -> Double {
        var lanes = SIMD8<Double>(repeating: 0), j = 0
        let whole = width - width % 8
        if let b {
            while j < whole { lanes = lanes + UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Double>.self) * widened(b + j); j += 8 }
        } else {
            while j < whole { lanes = lanes + UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Double>.self); j += 8 }
        }
        var total = 0.0
        for l in 0..<8 { total += lanes[l] }
        while j < width { total += a[j] * Double(b?[j] ?? 1); j += 1 }
        return total
    }

    static func penalised(_ p: Pass, _ beta: [Double], _ ridge: Double, _ n: Int) -> Double {
        p.logLikelihood - 0.5 * ridge * Double(n) * beta.reduce(0) { $0 + $1 * $1 }
    }

    /// One streaming pass: the log-likelihood, gradient and (negative) Hessian at `beta`.
    static func pass(model: ScoreModel, components: [ScoreComponent], pairs: [(row: Int, partner: Int)], beta: [Double]) -> Pass {
        let k = components.count, rows = model.hromadas.count
        // Per row: the running maximum M of u, then Σ e^(u−M), Σ e^(u−M)·x (K), Σ e^(u−M)·x·xᵀ (K·K, upper half).
        let stride = 2 + k + k * k
        var sums = [Double](repeating: 0, count: rows * stride)
        for r in 0..<rows { sums[r * stride] = -.infinity }
        // Per choice: u and x at the chosen partner.
        var chosen = [Double](repeating: 0, count: pairs.count * (k + 1))
        let byRow = Dictionary(grouping: pairs.indices, by: { pairs[$0].row })
        let b = beta.map(Float.init)
        sums.withUnsafeMutableBufferPointer { sumsBuffer in
        chosen.withUnsafeMutableBufferPointer { chosenBuffer in
            let sums = SharedBuffer(sumsBuffer), chosen = SharedBuffer(chosenBuffer)
            model.forEachSegment(components: components) { s in
                guard let mine = byRow[s.row] else { return }
                let width = s.columns.count
                // Row 0 of `y`: u, then √(e^(u − top)); row 1 + c: that times component c. Their
                // Gram matrix (BLAS) holds Σ e, Σ e·x and Σ e·x·xᵀ of the segment at once.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: (k + 1) * width + (k + 1) * (k + 1)) { buffer in
                    let y = buffer.baseAddress!, u = y, gram = y + (k + 1) * width
                    u.update(repeating: 0, count: width)
                    for c in 0..<k where b[c] != 0 { accumulate(u, s.component(c), b[c], width) }
                    for t in mine where s.columns.contains(pairs[t].partner) {
                        let local = pairs[t].partner - s.columns.lowerBound
                        chosen[t * (k + 1)] = Double(u[local])
                        for c in 0..<k { chosen[t * (k + 1) + 1 + c] = Double(s.component(c)[local]) }
                    }
                    var top = -Float.infinity
                    for j in 0..<width { top = max(top, u[j]) }
                    var j = 0
                    while j + 8 <= width { store8(FastMath.exp(0.5 * (load8(u + j) - top)), u + j); j += 8 }
                    while j < width { u[j] = expf(0.5 * (u[j] - top)); j += 1 }
                    for c in 0..<k { multiply(u, s.component(c), into: y + (c + 1) * width, width) }
                    Matrix.gramian(rows: y, count: k + 1, length: width, into: gram)
                    let base = sums.base + s.row * stride
                    let m = base[0], newTop = max(m, Double(top))
                    let old = m == -.infinity ? 0 : exp(m - newTop), add = exp(Double(top) - newTop)
                    base[0] = newTop
                    // Σ e, Σ e·x_c, Σ e·x_c·x_d (d ≥ c): row 0 and the upper triangle of the rest.
                    base[1] = base[1] * old + Double(gram[0]) * add
                    for c in 0..<k {
                        base[2 + c] = base[2 + c] * old + Double(gram[c + 1]) * add
                        for d in c..<k {
                            let q = 2 + k + c * k + d
                            base[q] = base[q] * old + Double(gram[(c + 1) * (k + 1) + d + 1]) * add
                        }
                    }
                }
            }
        }}
        var result = Pass(gradient: [Double](repeating: 0, count: k), hessian: [Double](repeating: 0, count: k * k))
        for t in pairs.indices {
            let base = pairs[t].row * stride, z = sums[base + 1], w = 1 / Double(byRow[pairs[t].row]!.count)
            let x = Array(chosen[(t * (k + 1) + 1)..<((t + 1) * (k + 1))])
            result.logLikelihood += w * (chosen[t * (k + 1)] - (sums[base] + log(z)))
            for c in 0..<k {
                let mean = sums[base + 2 + c] / z
                result.gradient[c] += w * (x[c] - mean)
                for d in c..<k {
                    let second = sums[base + 2 + k + c * k + d] / z
                    result.hessian[c * k + d] += w * (second - mean * sums[base + 2 + d] / z)
                }
            }
        }
        for c in 0..<k { for d in 0..<c { result.hessian[c * k + d] = result.hessian[d * k + c] } }
        return result
    }

    /// `out[j] = a[j] · b[j]`.
    @inline(__always)
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ width: Int) {
        var j = 0
        while j + 8 <= width { store8(load8(a + j) * load8(b + j), out + j); j += 8 }
        while j < width { out[j] = a[j] * b[j]; j += 1 }
    }

}
