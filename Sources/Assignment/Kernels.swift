/// The element types the solver reads: it computes in `Double` whatever the input.
public protocol AssignmentScalar: BinaryFloatingPoint, Sendable {
    /// Four consecutive values from `base + j`, widened to `Double`.
    static func load4(_ base: UnsafePointer<Self>, _ j: Int) -> SIMD4<Double>
}

extension Double: AssignmentScalar {
    @inline(__always)
    public static func load4(_ base: UnsafePointer<Double>, _ j: Int) -> SIMD4<Double> {
        UnsafeRawPointer(base + j).loadUnaligned(as: SIMD4<Double>.self)
    }
}

extension Float: AssignmentScalar {
    @inline(__always)
    public static func load4(_ base: UnsafePointer<Float>, _ j: Int) -> SIMD4<Double> {
        SIMD4<Double>(UnsafeRawPointer(base + j).loadUnaligned(as: SIMD4<Float>.self))
    }
}

/// Vectorised inner loops. Each keeps, per SIMD lane, the first index reaching the lane's
/// minimum, and merges lanes by (value, index): the result is the lowest index among equal
/// minima, exactly as a scalar left-to-right scan would give.
enum Kernels {
    /// The nearest open column: min of `shortest[j] + gate[j]` (gate is 0 open, +∞ closed).
    @inline(__always)
    static func nearest(_ sh: UnsafePointer<Double>, _ gate: UnsafePointer<Double>, _ m: Int) -> (Double, Int) {
        var best = SIMD4<Double>(repeating: .infinity)
        var index = SIMD4<Int64>(repeating: -1)
        var lanes = SIMD4<Int64>(0, 1, 2, 3)
        let m4 = m & ~3
        var j = 0
        while j < m4 {
            let cand = load(sh, j) + load(gate, j)
            let lt = cand .< best
            best.replace(with: cand, where: lt)
            index.replace(with: lanes, where: lt)
            lanes &+= 4
            j += 4
        }
        var (value, at) = merge(best, index)
        while j < m {
            let cand = sh[j] + gate[j]
            if cand < value { value = cand; at = j }
            j += 1
        }
        return (value, at)
    }

    /// Relaxes the arcs of one row: `r = base + sign·c[j] − v[j] + gate[j]`; where
    /// `r < shortest[j]` it lowers `shortest[j]` and sets `path[j] = row`. Returns the
    /// nearest open column afterwards.
    @inline(__always)
    static func relax<S: AssignmentScalar>(
        costs c: UnsafePointer<S>, base: Double, sign: Double, v: UnsafePointer<Double>,
        gate: UnsafePointer<Double>, shortest sh: UnsafeMutablePointer<Double>,
        path: UnsafeMutablePointer<Int32>, row: Int32, m: Int
    ) -> (Double, Int) {
        var best = SIMD4<Double>(repeating: .infinity)
        var index = SIMD4<Int64>(repeating: -1)
        var lanes = SIMD4<Int64>(0, 1, 2, 3)
        let baseV = SIMD4<Double>(repeating: base), signV = SIMD4<Double>(repeating: sign)
        let m4 = m & ~3
        var j = 0
        while j < m4 {
            let g = load(gate, j)
            let r = baseV + signV * S.load4(c, j) - load(v, j) + g
            var s = load(sh, j)
            let better = r .< s
            if any(better) {
                s.replace(with: r, where: better)
                UnsafeMutableRawPointer(sh + j).storeBytes(of: s, as: SIMD4<Double>.self)
                for l in 0..<4 where better[l] { path[j + l] = row }
            }
            let cand = s + g
            let lt = cand .< best
            best.replace(with: cand, where: lt)
            index.replace(with: lanes, where: lt)
            lanes &+= 4
            j += 4
        }
        var (value, at) = merge(best, index)
        while j < m {
            let r = base + sign * Double(c[j]) - v[j] + gate[j]
            if r < sh[j] { sh[j] = r; path[j] = row }
            let cand = sh[j] + gate[j]
            if cand < value { value = cand; at = j }
            j += 1
        }
        return (value, at)
    }

    /// Lowest and second-lowest `sign·c[j] − v[j]` over a row, with their columns
    /// (Jonker–Volgenant's augmenting row reduction step). A scalar scan: the branch
    /// that updates the pair is rarely taken, which beats a branch-free SIMD version.
    @inline(__always)
    static func twoSmallest<S: AssignmentScalar>(
        costs c: UnsafePointer<S>, sign: Double, v: UnsafePointer<Double>, m: Int
    ) -> (Double, Int, Double, Int) {
        var u1 = sign * Double(c[0]) - v[0], j1 = 0, u2 = Double.infinity, j2 = -1
        for j in 1..<max(m, 1) {
            let h = sign * Double(c[j]) - v[j]
            if h < u2 {
                if h >= u1 { u2 = h; j2 = j } else { u2 = u1; j2 = j1; u1 = h; j1 = j }
            }
        }
        return (u1, j1, u2, j2)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Double>, _ j: Int) -> SIMD4<Double> {
        UnsafeRawPointer(p + j).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> SIMD4<Double> {
        UnsafeRawPointer(p + j).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always)
    static func merge(_ best: SIMD4<Double>, _ index: SIMD4<Int64>) -> (Double, Int) {
        var value = Double.infinity, at = -1
        for l in 0..<4 where index[l] >= 0 {
            if best[l] < value || (best[l] == value && Int(index[l]) < at) { value = best[l]; at = Int(index[l]) }
        }
        return (value, at)
    }
}
