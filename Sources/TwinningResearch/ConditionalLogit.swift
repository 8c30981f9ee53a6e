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
        let choices = Choices(pairs: pairs)
        let oracle = Oracle(choices: pairs.count) { request in
            answer([request], of: [choices], model: model, components: components)[0]
        }
        return fit(oracle, k: components.count, start: start, hessian: hessian, ridge: ridge, maxIterations: maxIterations,
                   tolerance: tolerance)
    }

    /// Fits several problems at once, each as ``fit(model:components:pairs:start:hessian:ridge:maxIterations:tolerance:)``
    /// fits it (Newton steps from `starts`, no Hessian given): the same steps and the same
    /// coefficients to the last bit, but each pass over the candidates serves every
    /// problem that needs one (each problem's fit runs on its own thread and waits for the
    /// others' requests), so the components that `model` gives all of them are made once
    /// per pass, not once per problem. Tuning's folds fit this way: they share every
    /// component but those learnt from their own known ties (``Choices/own``).
    static func fitTogether(_ problems: [Choices], model: ScoreModel, components: [ScoreComponent], starts: [[Double]],
                            ridge: Double, tolerance: Double) -> [Fit] {
        let lockstep = Lockstep(count: problems.count) { requests in answer(requests, of: problems, model: model, components: components) }
        let results = FitResults(count: problems.count)
        let done = DispatchGroup()
        for (p, problem) in problems.enumerated() {
            let start = starts[p], k = components.count
            done.enter()
            let thread = Thread {
                let oracle = Oracle(choices: problem.pairs.count) { request in lockstep.ask(Request(problem: p, beta: request.beta, kind: request.kind)) }
                results.store(p, fit(oracle, k: k, start: start, hessian: nil, ridge: ridge, maxIterations: 30, tolerance: tolerance))
                lockstep.finish()
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.all()
    }

    /// A fit's steps, given what a pass answers at a point (``Oracle``).
    static func fit(_ oracle: Oracle, k: Int, start: [Double]?, hessian: [Double]?, ridge: Double, maxIterations: Int,
                    tolerance: Double) -> Fit {
        var beta = start ?? [Double](repeating: 0, count: k)
        guard k > 0, oracle.choices > 0 else { return Fit(coefficients: beta, logLikelihood: 0, iterations: 0, converged: true, hessian: []) }
        // From a given Hessian, the polish's steps alone; where they stall (a start too far
        // for a Hessian taken elsewhere), single-precision Newton steps from where they got.
        if start != nil, let hessian, hessian.count == k * k {
            let p = polish(beta, hessian: hessian, oracle, ridge: ridge, tolerance: tolerance)
            if p.converged {
                return Fit(coefficients: p.coefficients, logLikelihood: p.logLikelihood, iterations: 0, converged: true, hessian: p.hessian)
            }
            beta = p.coefficients
        }
        var current = oracle.pass(beta)
        var iterations = 0
        // Single-precision Newton steps while the optimum is far (a cold start); near it, the
        // polish's cheaper steps, which need no Hessian pass, take over.
        while iterations < maxIterations {
            guard var step = newtonStep(current, beta, ridge: ridge, n: oracle.choices) else { break }
            if step.map(abs).max()! < newtonTolerance { break }
            iterations += 1
            // Halve the step until the (penalised) log-likelihood does not fall.
            var accepted = false
            for _ in 0..<20 {
                let next = zip(beta, step).map(+)
                let trial = oracle.pass(next)
                if penalised(trial, next, ridge, oracle.choices) >= penalised(current, beta, ridge, oracle.choices) - 1e-9 * abs(current.logLikelihood) {
                    beta = next
                    current = trial
                    accepted = true
                    break
                }
                step = step.map { $0 / 2 }
            }
            if !accepted { break }
        }
        let p = polish(beta, hessian: current.hessian, oracle, ridge: ridge, tolerance: tolerance)
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

    /// The passes of ``fit(model:components:pairs:start:hessian:ridge:maxIterations:tolerance:)`` sum in single
    /// precision (BLAS Gram matrices whose order depends on the CPU's kernels), which leaves
    /// the optimum uncertain in about the fifth digit. These last steps solve gradient = 0
    /// with the gradient summed in double precision in one fixed order, so the coefficients
    /// no longer depend on the CPU, the thread count or the start; the Hessian (which only
    /// sets the step, not the point it converges to) is the last single-precision one,
    /// corrected by each step's change of gradient (``bfgs(_:step:change:)``).
    static func polish(_ start: [Double], hessian: [Double], _ oracle: Oracle, ridge: Double,
                       tolerance: Double = polishTolerance) -> (coefficients: [Double], logLikelihood: Double, hessian: [Double], converged: Bool) {
        let k = start.count, n = Double(oracle.choices)
        func curvature(_ hessian: [Double]) -> MatrixD {
            var h = hessian
            for d in 0..<k { h[d * k + d] += ridge * n }
            return MatrixD(rows: k, columns: k, storage: h)
        }
        func penalised(_ e: Exact, _ beta: [Double]) -> Double {
            e.logLikelihood - 0.5 * ridge * n * beta.reduce(0) { $0 + $1 * $1 }
        }
        // The gradient of the penalised log-likelihood.
        func slope(_ e: Exact, _ beta: [Double]) -> [Double] {
            zip(e.gradient, beta).map { $0 - ridge * n * $1 }
        }
        var h = curvature(hessian), fresh = false, last = hessian, converged = false
        var beta = start
        var exact = oracle.exact(beta)
        var previous = Double.infinity
        for _ in 0..<polishSteps {
            guard let step = h.leastSquares(slope(exact, beta)) else { break }
            let largest = step.map(abs).max()!
            guard largest.isFinite else { break }
            if largest < tolerance { converged = true; break }
            // A Hessian from further away makes the steps shrink slowly, or overshoot: take a
            // fresh one here (one single-precision pass) and step again.
            let next = zip(beta, step).map(+)
            let trial = oracle.exact(next)
            let worse = penalised(trial, next) < penalised(exact, beta) - 1e-12 * abs(exact.logLikelihood)
            if worse || (largest > 0.1 * previous && !fresh) {
                if !fresh {
                    last = oracle.pass(beta).hessian
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

    /// The log-likelihood and its gradient, summed in double precision.
    typealias Exact = (logLikelihood: Double, gradient: [Double])

    /// One problem's choices: rows of the pass's model and the partners they chose.
    struct Choices: @unchecked Sendable {
        let pairs: [(row: Int, partner: Int)]
        /// The choices of each row.
        let byRow: [Int: [Int]]
        /// Where the components marked in `own` come from instead of the pass's model: a
        /// model of the same rows and columns (its own known ties, for a fold). Nil: all
        /// from the pass's model.
        let model: ScoreModel?
        let own: [Bool]
        let readers: ReaderPool?

        init(pairs: [(row: Int, partner: Int)], model: ScoreModel? = nil, own: [Bool] = []) {
            self.pairs = pairs
            byRow = Dictionary(grouping: pairs.indices, by: { pairs[$0].row })
            self.model = model
            self.own = own
            readers = model.map(ReaderPool.init)
        }

        /// Whether component `c` (a position in the components fitted) is read from ``model``.
        func owns(_ c: Int) -> Bool { model != nil && own[c] }
    }

    /// What a fit asks of a pass: at `beta`, the exact gradient or the single-precision
    /// pass with its Hessian.
    struct Request: Sendable {
        enum Kind: Sendable { case exact, pass }
        var problem = 0
        let beta: [Double]
        let kind: Kind
    }

    enum Answer {
        case exact(Exact), pass(Pass)
    }

    /// A fit's access to the data: answers at a point, and how many choices it has.
    struct Oracle {
        let choices: Int
        let ask: (Request) -> Answer
        init(choices: Int, ask: @escaping (Request) -> Answer) { self.choices = choices; self.ask = ask }

        func exact(_ beta: [Double]) -> Exact {
            guard case .exact(let e) = ask(Request(beta: beta, kind: .exact)) else { fatalError("an exact gradient was asked for") }
            return e
        }
        func pass(_ beta: [Double]) -> Pass {
            guard case .pass(let p) = ask(Request(beta: beta, kind: .pass)) else { fatalError("a pass was asked for") }
            return p
        }
    }

    /// Answers `requests` (each of one problem of `problems`) in one streaming pass over
    /// `model`'s segments: the components a problem owns come from its own model, the others
    /// from the segment, made once for all.
    static func answer(_ requests: [Request], of problems: [Choices], model: ScoreModel, components: [ScoreComponent]) -> [Answer] {
        let k = components.count, rows = model.hromadas.count
        // The components some request reads from the segments, and where each is in them.
        let read = components.indices.filter { c in requests.contains { !problems[$0.problem].owns(c) } }
        let position = (0..<k).map { c in read.firstIndex(of: c) ?? -1 }
        // Per request: per row the running maximum M of u, then Σ e^(u−M), Σ e^(u−M)·x (K)
        // [and Σ e^(u−M)·x·xᵀ (K·K, upper half) for a pass]; per choice u and x there.
        let strides = requests.map { $0.kind == .exact ? 2 + k : 2 + k + k * k }
        let sums = strides.map { stride in
            let s = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, rows * stride))
            s.initialize(repeating: 0)
            for r in 0..<rows { s[r * stride] = -.infinity }
            return SharedBuffer(s)
        }
        let chosen = requests.map { r in
            let c = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, problems[r.problem].pairs.count * (k + 1)))
            c.initialize(repeating: 0)
            return SharedBuffer(c)
        }
        defer { (sums + chosen).forEach { $0.base.deallocate() } }
        let wanted = (0..<rows).map { r in requests.contains { problems[$0.problem].byRow[r] != nil } }
        // What the visits read, per request, without copying a problem (and retaining every
        // array of its model) at each segment: per row its choices, and per component
        // whether it comes from the problem's own model.
        let mine = requests.map { r in (0..<rows).map { problems[r.problem].byRow[$0] ?? [] } }
        let owned = requests.map { r in (0..<k).map { problems[r.problem].owns($0) } }
        let readers = requests.map { problems[$0.problem].readers }
        let choices = requests.map { problems[$0.problem].pairs }
        model.forEachSegment(components: read.map { components[$0] }, rows: wanted.allSatisfy { $0 } ? nil : wanted) { s in
            for q in requests.indices {
                let chosenHere = mine[q][s.row]
                guard !chosenHere.isEmpty else { continue }
                let own = owned[q], pool = own.contains(true) ? readers[q] : nil
                let reader = pool?.take()
                defer { if let reader { pool?.give(reader) } }
                let x = (0..<k).map { c in own[c] ? reader!.values(components[c], row: s.row, block: s.columns) : s.component(position[c]) }
                let base = sums[q].base + s.row * strides[q]
                switch requests[q].kind {
                case .exact: exactSegment(s.columns, x, requests[q].beta, chosenHere, choices[q], into: base, chosen: chosen[q].base)
                case .pass: passSegment(s.columns, x, requests[q].beta, chosenHere, choices[q], into: base, chosen: chosen[q].base)
                }
            }
        }
        return requests.indices.map { q in
            let problem = problems[requests[q].problem]
            switch requests[q].kind {
            case .exact: return .exact(exactSums(sums[q].base, chosen[q].base, problem, k: k))
            case .pass: return .pass(passSums(sums[q].base, chosen[q].base, problem, k: k))
            }
        }
    }

    /// One segment's part of the exact gradient: the running sums of its row at `base`,
    /// summed in double precision in one order that depends on nothing but the data: each
    /// hromada's partners ascending, within a segment one after the other and segments
    /// merged in partner order, the components in the order given. No BLAS call, so no
    /// CPU-dependent kernel.
    static func exactSegment(_ columns: Range<Int>, _ x: [UnsafePointer<Float>], _ beta: [Double], _ mine: [Int],
                             _ pairs: [(row: Int, partner: Int)], into base: UnsafeMutablePointer<Double>, chosen: UnsafeMutablePointer<Double>) {
        let width = columns.count, k = x.count
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
            for t in mine where columns.contains(pairs[t].partner) {
                let local = pairs[t].partner - columns.lowerBound
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
            let m = base[0], newTop = max(m, top)
            let old = m == -.infinity ? 0 : exp(m - newTop), add = exp(top - newTop)
            base[0] = newTop
            base[1] = base[1] * old + total * add
            for c in 0..<k { base[2 + c] = base[2 + c] * old + partial[c] * add }
        }
    }

    /// The log-likelihood and its gradient from the rows' sums, choice by choice in order.
    static func exactSums(_ sums: UnsafePointer<Double>, _ chosen: UnsafePointer<Double>, _ problem: Choices, k: Int) -> Exact {
        let stride = 2 + k, pairs = problem.pairs
        var logLikelihood = 0.0, gradient = [Double](repeating: 0, count: k)
        for t in pairs.indices {
            let base = pairs[t].row * stride, z = sums[base + 1], w = 1 / Double(problem.byRow[pairs[t].row]!.count)
            logLikelihood += w * (chosen[t * (k + 1)] - (sums[base] + log(z)))
            for c in 0..<k { gradient[c] += w * (chosen[t * (k + 1) + 1 + c] - sums[base + 2 + c] / z) }
        }
        return (logLikelihood, gradient)
    }

    /// The log-likelihood and its gradient at `beta`, summed in double precision in one
    /// fixed order (``exactSegment(_:_:_:_:_:into:chosen:)``).
    static func exactGradient(model: ScoreModel, components: [ScoreComponent], pairs: [(row: Int, partner: Int)],
                              beta: [Double]) -> Exact {
        guard case .exact(let e) = answer([Request(beta: beta, kind: .exact)], of: [Choices(pairs: pairs)], model: model,
                                          components: components)[0] else { fatalError("an exact gradient was asked for") }
        return e
    }

    /// Eight floats from `p` as doubles.
    @inline(__always)
    static func widened(_ p: UnsafePointer<Float>) -> SIMD8<Double> {
        SIMD8<Double>(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self))
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
        guard case .pass(let p) = answer([Request(beta: beta, kind: .pass)], of: [Choices(pairs: pairs)], model: model,
                                         components: components)[0] else { fatalError("a pass was asked for") }
        return p
    }

    /// One segment's part of a single-precision pass, into its row's running sums at `base`.
    static func passSegment(_ columns: Range<Int>, _ x: [UnsafePointer<Float>], _ beta: [Double], _ mine: [Int],
                            _ pairs: [(row: Int, partner: Int)], into base: UnsafeMutablePointer<Double>, chosen: UnsafeMutablePointer<Double>) {
        let width = columns.count, k = x.count
        let b = beta.map(Float.init)
        // Row 0 of `y`: u, then √(e^(u − top)); row 1 + c: that times component c. Their
        // Gram matrix (BLAS) holds Σ e, Σ e·x and Σ e·x·xᵀ of the segment at once.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (k + 1) * width + (k + 1) * (k + 1)) { buffer in
            let y = buffer.baseAddress!, u = y, gram = y + (k + 1) * width
            u.update(repeating: 0, count: width)
            for c in 0..<k where b[c] != 0 { accumulate(u, x[c], b[c], width) }
            for t in mine where columns.contains(pairs[t].partner) {
                let local = pairs[t].partner - columns.lowerBound
                chosen[t * (k + 1)] = Double(u[local])
                for c in 0..<k { chosen[t * (k + 1) + 1 + c] = Double(x[c][local]) }
            }
            var top = -Float.infinity
            for j in 0..<width { top = max(top, u[j]) }
            var j = 0
            while j + 8 <= width { store8(FastMath.exp(0.5 * (load8(u + j) - top)), u + j); j += 8 }
            while j < width { u[j] = expf(0.5 * (u[j] - top)); j += 1 }
            for c in 0..<k { multiply(u, x[c], into: y + (c + 1) * width, width) }
            Matrix.gramian(rows: y, count: k + 1, length: width, into: gram)
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

    /// A pass's log-likelihood, gradient and Hessian from the rows' sums.
    static func passSums(_ sums: UnsafePointer<Double>, _ chosen: UnsafePointer<Double>, _ problem: Choices, k: Int) -> Pass {
        let stride = 2 + k + k * k, pairs = problem.pairs
        var result = Pass(gradient: [Double](repeating: 0, count: k), hessian: [Double](repeating: 0, count: k * k))
        for t in pairs.indices {
            let base = pairs[t].row * stride, z = sums[base + 1], w = 1 / Double(problem.byRow[pairs[t].row]!.count)
            let x = chosen + t * (k + 1) + 1
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

/// The fits of ``ConditionalLogit/fitTogether(_:model:components:starts:ridge:tolerance:)``
/// in step: each fit's thread hands its request in and waits; the last of the running fits
/// to do so answers them all in one pass and wakes the others. A fit that ends no longer
/// holds the others back.
final class Lockstep: @unchecked Sendable {
    private let condition = NSCondition()
    private var running: Int
    private var pending: [ConditionalLogit.Request] = []
    private var answers: [Int: ConditionalLogit.Answer] = [:]
    private let answer: ([ConditionalLogit.Request]) -> [ConditionalLogit.Answer]

    init(count: Int, answer: @escaping ([ConditionalLogit.Request]) -> [ConditionalLogit.Answer]) {
        running = count
        self.answer = answer
    }

    /// The answer to `request`, once every running fit has asked.
    func ask(_ request: ConditionalLogit.Request) -> ConditionalLogit.Answer {
        condition.lock()
        defer { condition.unlock() }
        pending.append(request)
        if pending.count == running { serve() }
        while answers[request.problem] == nil { condition.wait() }
        return answers.removeValue(forKey: request.problem)!
    }

    /// A fit has ended.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        running -= 1
        if running > 0 && pending.count == running { serve() }
    }

    /// Answers the pending requests (the lock held), in the order of their problems.
    private func serve() {
        let batch = pending.sorted { $0.problem < $1.problem }
        pending = []
        for (request, a) in zip(batch, answer(batch)) { answers[request.problem] = a }
        condition.broadcast()
    }
}

/// The fits made on the threads of ``ConditionalLogit/fitTogether(_:model:components:starts:ridge:tolerance:)``.
final class FitResults: @unchecked Sendable {
    private let lock = NSLock()
    private var fits: [ConditionalLogit.Fit?]
    init(count: Int) { fits = [ConditionalLogit.Fit?](repeating: nil, count: count) }
    func store(_ p: Int, _ fit: ConditionalLogit.Fit) { lock.lock(); fits[p] = fit; lock.unlock() }
    func all() -> [ConditionalLogit.Fit] { lock.lock(); defer { lock.unlock() }; return fits.map { $0! } }
}

/// Readers of one model's components (``ComponentValues``), one per thread at a time.
final class ReaderPool: @unchecked Sendable {
    private let lock = NSLock()
    private let model: ScoreModel
    private var free: [ComponentValues] = []
    init(_ model: ScoreModel) { self.model = model }
    func take() -> ComponentValues {
        lock.lock()
        if let reader = free.popLast() { lock.unlock(); return reader }
        lock.unlock()
        return ComponentValues(model: model)
    }
    func give(_ reader: ComponentValues) { lock.lock(); free.append(reader); lock.unlock() }
}

