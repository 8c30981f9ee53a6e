/// Per-lane running minima over a SIMD sweep: the nearest candidate overall and the
/// nearest one among columns with a free slot. Each lane keeps the first index reaching
/// its minimum; lanes merge by (value, index), so the result is the lowest index among
/// equal minima, exactly as a scalar left-to-right scan would give.
struct LaneMinimum {
    var best = SIMD4<Double>(repeating: .infinity)
    var index = SIMD4<Int64>(repeating: -1)
    var bestFree = SIMD4<Double>(repeating: .infinity)
    var indexFree = SIMD4<Int64>(repeating: -1)
    var lanes = SIMD4<Int64>(0, 1, 2, 3)

    /// Offers the next four candidates; `freeGate` is 0 where a column has a free slot, +∞ elsewhere.
    @inline(__always)
    mutating func offer(_ cand: SIMD4<Double>, freeGate: SIMD4<Double>) {
        let lt = cand .< best
        best.replace(with: cand, where: lt)
        index.replace(with: lanes, where: lt)
        let f = cand + freeGate
        let ltFree = f .< bestFree
        bestFree.replace(with: f, where: ltFree)
        indexFree.replace(with: lanes, where: ltFree)
        lanes &+= 4
    }

    /// The nearest column, a free one first among equal distances; `tail` scans the
    /// columns past the last full SIMD block.
    @inline(__always)
    func result(tail: Range<Int>, candidate: (Int) -> Double, isFree: (Int) -> Bool) -> Nearest {
        var overall = Kernels.merge(best, index), free = Kernels.merge(bestFree, indexFree)
        for j in tail {
            let d = candidate(j)
            if d < overall.0 { overall = (d, j) }
            if d < free.0 && isFree(j) { free = (d, j) }
        }
        if free.1 >= 0 && free.0 == overall.0 { return Nearest(distance: free.0, column: free.1) }
        return Nearest(distance: overall.0, column: overall.1)
    }
}

/// The nearest open column of a search and its distance (column −1 when none is reachable).
struct Nearest {
    var distance: Double
    var column: Int
}

/// Vectorised inner loops of the shortest-path search.
enum Kernels {
    /// The nearest open column: min of `shortest[j] + gate[j]` (gate is 0 open, +∞ closed).
    @inline(__always)
    static func nearest(_ sh: UnsafePointer<Double>, _ gate: UnsafePointer<Double>,
                        _ freeGate: UnsafePointer<Double>, _ m: Int) -> Nearest {
        var minimum = LaneMinimum()
        let m4 = m & ~3
        var j = 0
        while j < m4 {
            minimum.offer(load(sh, j) + load(gate, j), freeGate: load(freeGate, j))
            j += 4
        }
        return minimum.result(tail: m4..<m, candidate: { sh[$0] + gate[$0] }, isFree: { freeGate[$0] == 0 })
    }

    /// Relaxes the arcs of one row: `r = base + sign·c[j] − v[j] + gate[j]`; where
    /// `r < shortest[j]` it lowers `shortest[j]` and sets `path[j] = row`. Returns the
    /// nearest open column afterwards.
    @inline(__always)
    static func relax<S: AssignmentScalar>(
        costs c: UnsafePointer<S>, base: Double, sign: Double, v: UnsafePointer<Double>,
        gate: UnsafePointer<Double>, freeGate: UnsafePointer<Double>, shortest sh: UnsafeMutablePointer<Double>,
        path: UnsafeMutablePointer<Predecessor>, row: Int32, m: Int
    ) -> Nearest {
        var minimum = LaneMinimum()
        let baseV = SIMD4<Double>(repeating: base), signV = SIMD4<Double>(repeating: sign)
        let m4 = m & ~3
        var j = 0
        while j < m4 {
            let g = load(gate, j)
            let r = baseV + signV * load4(c, j) - load(v, j) + g
            var s = load(sh, j)
            let better = r .< s
            if any(better) {
                s.replace(with: r, where: better)
                UnsafeMutableRawPointer(sh + j).storeBytes(of: s, as: SIMD4<Double>.self)
                for l in 0..<4 where better[l] { path[j + l] = .row(row) }
            }
            minimum.offer(s + g, freeGate: load(freeGate, j))
            j += 4
        }
        for k in m4..<m {
            let r = base + sign * Double(c[k]) - v[k] + gate[k]
            if r < sh[k] { sh[k] = r; path[k] = .row(row) }
        }
        return minimum.result(tail: m4..<m, candidate: { sh[$0] + gate[$0] }, isFree: { freeGate[$0] == 0 })
    }

    /// Lowest and second-lowest `sign·c[j] − v[j]` over a row, with their columns
    /// (Jonker–Volgenant's augmenting row reduction step). Four lanes keep their own
    /// two smallest; a block that improves on none of them (the usual case once the scan
    /// is under way) costs one compare.
    @inline(__always)
    static func twoSmallest<S: AssignmentScalar>(
        costs c: UnsafePointer<S>, sign: Double, v: UnsafePointer<Double>, m: Int
    ) -> (Double, Int, Double, Int) {
        var min1 = SIMD4<Double>(repeating: .infinity), min2 = SIMD4<Double>(repeating: .infinity)
        var at1 = SIMD4<Int64>(repeating: -1), at2 = SIMD4<Int64>(repeating: -1)
        var lanes = SIMD4<Int64>(0, 1, 2, 3)
        let signV = SIMD4<Double>(repeating: sign)
        let m4 = m & ~3
        var j = 0
        while j < m4 {
            let h = signV * load4(c, j) - load(v, j)
            let lt2 = h .< min2
            if any(lt2) {
                let lt1 = h .< min1
                let second = lt2 .& .!lt1
                min2.replace(with: min1, where: lt1)
                at2.replace(with: at1, where: lt1)
                min2.replace(with: h, where: second)
                at2.replace(with: lanes, where: second)
                min1.replace(with: h, where: lt1)
                at1.replace(with: lanes, where: lt1)
            }
            lanes &+= 4
            j += 4
        }
        // Merge the lanes' candidates; equal values go to the lower index.
        var u1 = Double.infinity, j1 = -1, u2 = Double.infinity, j2 = -1
        @inline(__always) func offer(_ h: Double, _ k: Int) {
            if h < u1 || (h == u1 && k < j1) {
                u2 = u1; j2 = j1; u1 = h; j1 = k
            } else if h < u2 || (h == u2 && k < j2) {
                u2 = h; j2 = k
            }
        }
        for l in 0..<4 {
            if at1[l] >= 0 { offer(min1[l], Int(at1[l])) }
            if at2[l] >= 0 { offer(min2[l], Int(at2[l])) }
        }
        while j < m { offer(sign * Double(c[j]) - v[j], j); j += 1 }
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
