/// Jonker & Volgenant's initialisation for a square, dense, single-slot problem: column
/// reduction, reduction transfer and two rounds of augmenting row reduction (R. Jonker,
/// A. Volgenant, "A shortest augmenting path algorithm for dense and sparse linear
/// assignment problems", Computing 38, 1987). It assigns most rows cheaply and leaves
/// potentials under which every assigned row sits at a minimum of its reduced costs, so
/// the shortest-path phase only has to place the rest.
///
/// Only for square problems: on a rectangular one, free columns must keep equal
/// potentials, which column reduction would break.
struct WarmStart<S: AssignmentScalar> {
    let n: Int
    let sign: Double
    let costs: UnsafePointer<S>
    let v: UnsafeMutablePointer<Double>
    var rowsol: [Int]
    var colsol: [Int]

    init(n: Int, sign: Double, costs: UnsafePointer<S>, v: UnsafeMutablePointer<Double>) {
        self.n = n; self.sign = sign; self.costs = costs; self.v = v
        rowsol = Array(repeating: -1, count: n)
        colsol = Array(repeating: -1, count: n)
    }

    /// `v_j = min_i c_ij`, scanned row by row for the cache; each column goes to its
    /// cheapest row, a row keeping the cheapest of the columns offered to it. Returns how
    /// many columns chose each row.
    mutating func columnReduction() -> [Int] {
        var argmin = [Int](repeating: 0, count: n)
        var matches = [Int](repeating: 0, count: n)
        for j in 0..<n { v[j] = sign * Double(costs[j]) }
        for i in 1..<n {
            let row = costs + i * n
            for j in 0..<n {
                let x = sign * Double(row[j])
                if x < v[j] { v[j] = x; argmin[j] = i }
            }
        }
        for j in stride(from: n - 1, through: 0, by: -1) {
            let i = argmin[j]
            matches[i] += 1
            if matches[i] == 1 {
                rowsol[i] = j; colsol[j] = i
            } else if v[j] < v[rowsol[i]] {
                colsol[rowsol[i]] = -1
                rowsol[i] = j; colsol[j] = i
            }
        }
        return matches
    }

    /// A row matched once passes its slack to its column; returns the rows left free.
    mutating func reductionTransfer(matches: [Int]) -> [Int] {
        var freeRows: [Int] = []
        for i in 0..<n {
            if matches[i] == 0 {
                freeRows.append(i)
            } else if matches[i] == 1 {
                let j1 = rowsol[i]
                let (u1, k1, u2, _) = Kernels.twoSmallest(costs: costs + i * n, sign: sign, v: v, m: n)
                let second = k1 == j1 ? u2 : u1
                v[j1] -= second - (sign * Double(costs[i * n + j1]) - v[j1])
            }
        }
        return freeRows
    }

    /// Augmenting row reduction, twice: each free row takes its cheapest column, lowering
    /// that column's price by the gap to its second cheapest and evicting the holder.
    /// On random costs the reduction can chase long chains of tiny price steps; past 20·n
    /// row scans the shortest-path phase places the remaining rows faster (the budget is
    /// measured: `Benchmarks/README.md`).
    mutating func augmentingRowReduction(freeRows initial: [Int]) {
        var freeRows = initial
        let budget = 20 * n
        var spent = 0
        for _ in 0..<2 {
            var work = freeRows
            freeRows.removeAll(keepingCapacity: true)
            var k = 0
            while k < work.count {
                let i = work[k]; k += 1
                if spent >= budget { freeRows.append(i); continue }
                spent += 1
                var (umin, j1, usubmin, j2) = Kernels.twoSmallest(costs: costs + i * n, sign: sign, v: v, m: n)
                var i0 = colsol[j1]
                if umin < usubmin {
                    v[j1] -= usubmin - umin
                } else if i0 >= 0 && j2 >= 0 {
                    j1 = j2; i0 = colsol[j2]
                }
                if i0 >= 0 { rowsol[i0] = -1 }
                rowsol[i] = j1; colsol[j1] = i
                if i0 >= 0 {
                    if umin < usubmin { k -= 1; work[k] = i0 } else { freeRows.append(i0) }
                }
            }
        }
    }
}

extension Search {
    /// Runs ``WarmStart`` and adopts its assignment and potentials.
    mutating func warmStart() {
        var potentials = [Double](repeating: 0, count: m)
        let rowsol = costs.withUnsafeBufferPointer { c in
            potentials.withUnsafeMutableBufferPointer { v in
                var start = WarmStart(n: n, sign: sign, costs: c.baseAddress!, v: v.baseAddress!)
                let matches = start.columnReduction()
                start.augmentingRowReduction(freeRows: start.reductionTransfer(matches: matches))
                return start.rowsol
            }
        }
        v = potentials
        for i in 0..<n where rowsol[i] >= 0 {
            let j = rowsol[i]
            u[i] = sign * Double(costs[i * m + j]) - v[j]
            rowColumns[i] = [Int32(j)]
            columnRows[j] = [Int32(i)]
            demand[i] = 0
            takeSlot(column: j)
        }
    }
}
