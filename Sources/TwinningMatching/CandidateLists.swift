import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// The pair-level restrictions in the form the streaming passes read: the pair rules
/// (levels, distance) compiled to bits, and per hromada the sorted partners it may not be
/// proposed with (forbidden or already locked) and those that get the incumbency bonus.
struct PairFilter: @unchecked Sendable {
    /// Pairs whose components' score or fit is below these are under min_likelihood or
    /// min_fit (``Restrictions/floors(_:)``; −∞ without the rule); `judges`: whether either is set.
    let floors: (components: Float, fit: Float)
    let judges: Bool
    /// Per column, whether it is in a capped group (nil when no group is capped).
    let cappedColumn: [Bool]?
    let excluded: [[Int32]]             // per row, sorted columns
    let favoured: [[Int32]]             // per row, sorted columns getting the bonus
    let bonus: Float
    /// The pair rules (``PairRule``) compiled: per row, one bit per column, set where every
    /// pair rule allows the pair (locked pairs always); nil without pair rules.
    let pairAllowed: [UInt64]?
    let wordsPerRow: Int
    /// Per row, whether some pair rule leaves out one of its pairs (nil without pair
    /// rules): the rows where the scan reads the bits.
    let restrictedRow: [Bool]?

    /// Whether the pair rules allow row `row` with column `column`.
    @inline(__always)
    func pairRulesAllow(_ row: Int, _ column: Int) -> Bool {
        guard let bits = pairAllowed else { return true }
        return bits[row * wordsPerRow + column >> 6] & (1 << UInt64(column & 63)) != 0
    }

    /// With `excludingLocked` (matching) locked pairs are left out of the lists, since
    /// the solver fixes them apart.
    init(_ instance: MatchInstance, rows: [Int], columns: [Int], excludingLocked: Bool = true) {
        let r = instance.restrictions
        if let groups = r.groups, !groups.caps.isEmpty {
            cappedColumn = columns.map { groups.caps[groups.code(of: $0, in: instance.partners)] != nil }
        } else {
            cappedColumn = nil
        }
        floors = r.floors(instance.likelihood)
        judges = floors.components > -.infinity || floors.fit > -.infinity
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, Int32($0)) })
        var excluded = [[Int32]](repeating: [], count: rows.count), favoured = excluded
        for pair in r.forbidden.keys { if let i = rowOf[pair.hromada], let c = columnOf[pair.partner] { excluded[i].append(c) } }
        for (pair, _) in r.locked where excludingLocked {
            if let i = rowOf[pair.hromada], let c = columnOf[pair.partner] { excluded[i].append(c) }
        }
        // A partner that takes part only for its locked pairs is out of every other pair.
        let lockedOnly = instance.lockedOnlyPartners.compactMap { columnOf[$0] }
        if !lockedOnly.isEmpty {
            let lockedCells = Set(r.locked.map(\.pair))
            for (i, hromada) in rows.enumerated() {
                for c in lockedOnly where excludingLocked || !lockedCells.contains(IndexPair(hromada, columns[Int(c)])) {
                    excluded[i].append(c)
                }
            }
        }
        if instance.incumbencyBonus != 0 {
            for pair in instance.incumbents { if let i = rowOf[pair.hromada], let c = columnOf[pair.partner] { favoured[i].append(c) } }
        }
        self.excluded = excluded.map { Array(Set($0)).sorted() }
        self.favoured = favoured.map { $0.sorted() }
        bonus = Float(instance.incumbencyBonus)
        (pairAllowed, wordsPerRow, restrictedRow) = Self.compile(r, instance, rows: rows, columns: columns)
    }

    /// Every pair rule's part of the filter (``PairRule/leaveOut(hromada:columns:hromadas:partners:_:)``),
    /// once per matching, rows on all cores: the bits ``pairAllowed`` holds, locked pairs
    /// set whatever the rules say, and which rows have a pair left out.
    static func compile(_ r: Restrictions, _ instance: MatchInstance, rows: [Int], columns: [Int]) -> ([UInt64]?, Int, [Bool]?) {
        let words = (columns.count + 63) / 64
        guard !r.pairRules.isEmpty, !rows.isEmpty, words > 0 else { return (nil, words, nil) }
        var bits = [UInt64](repeating: ~0, count: rows.count * words)
        var restricted = [Bool](repeating: false, count: rows.count)
        let h = instance.hromadas, p = instance.partners
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let lockedIn = r.locked.reduce(into: [Int: [Int]]()) { lockedIn, locked in
            if let c = columnOf[locked.pair.partner] { lockedIn[locked.pair.hromada, default: []].append(c) }
        }
        bits.withUnsafeMutableBufferPointer { buffer in
            restricted.withUnsafeMutableBufferPointer { restrictedBuffer in
                let shared = SharedBuffer(buffer), anyOut = SharedBuffer(restrictedBuffer)
                DispatchQueue.concurrentPerform(iterations: rows.count) { a in
                    let i = rows[a], row = shared.base + a * words
                    var out = false
                    for (rule, _) in r.pairRules {
                        rule.leaveOut(hromada: i, columns: columns, hromadas: h, partners: p) { c in
                            row[c >> 6] &= ~(1 << UInt64(c & 63))
                            out = true
                        }
                    }
                    for c in lockedIn[i] ?? [] { row[c >> 6] |= 1 << UInt64(c & 63) }
                    anyOut[a] = out
                }
            }
        }
        return (bits, words, restricted)
    }
}

/// A walk through one row's sorted exceptions as its columns arrive in increasing order.
struct Cursor {
    var at = 0
    @inline(__always)
    mutating func hits(_ list: [Int32], _ column: Int) -> Bool {
        while at < list.count && Int(list[at]) < column { at += 1 }
        return at < list.count && Int(list[at]) == column
    }
}

/// One row's pass over a block of partners: which pairs the restrictions allow, and
/// their scores and ranks, in column order. Shared by both streaming passes.
struct RowScan {
    let filter: PairFilter
    let row: Int
    var excluded = Cursor(), favoured = Cursor()

    /// Calls `body(column, score, rank)` for every allowed pair of the run that meets
    /// min_likelihood and min_fit and ranks above `bar`, after counting allowed and good
    /// pairs; `body` returns the bar from then on. Without a pair rule leaving out a pair of
    /// the row, exceptions, favoured partners or minimums (the common case) eight pairs are
    /// tested at a time. `segment` must carry its parts when the filter ``PairFilter/judges``.
    @inline(__always)
    mutating func scan(_ segment: ScoreSegment, allowed: inout Int, good: inout Int,
                       bar start: Float, _ body: (Int, Float, Float) -> Float) {
        let columns = segment.columns, scores = segment.scores
        var bar = start
        let exceptions = filter.excluded[row], favourites = filter.favoured[row]
        let bonus = filter.bonus, checkPairRules = filter.restrictedRow?[row] ?? false
        var c = 0
        if !checkPairRules && exceptions.isEmpty && favourites.isEmpty && !filter.judges {
            allowed += columns.count
            good += columns.count
            while c + 8 <= columns.count {
                let v = load8(scores + c)
                if any(v .> SIMD8<Float>(repeating: bar)) {
                    for l in 0..<8 where v[l] > bar { bar = body(columns.lowerBound + c + l, v[l], v[l]) }
                }
                c += 8
            }
            while c < columns.count {
                let s = scores[c]
                if s > bar { bar = body(columns.lowerBound + c, s, s) }
                c += 1
            }
            return
        }
        let floors = filter.floors
        for c in 0..<columns.count {
            let column = columns.lowerBound + c
            if checkPairRules && !filter.pairRulesAllow(row, column) { continue }
            if !exceptions.isEmpty && excluded.hits(exceptions, column) { continue }
            allowed += 1
            let s = scores[c]
            // NaN (no fit) passes min_fit: a pair without a fit is not judged by it.
            if filter.judges && (segment.componentScores![c] < floors.components || segment.fits![c] < floors.fit) { continue }
            good += 1
            let rank = !favourites.isEmpty && favoured.hits(favourites, column) ? s + bonus : s
            if rank > bar { bar = body(column, s, rank) }
        }
    }
}

/// Each seeking hromada's best allowed partners, chosen in one streaming pass over every
/// pair (blocks of partners scored with BLAS, a bounded selection per hromada), with the
/// counts that explain an unmatched hromada. The n × m scores are never held at once.
struct CandidateLists {
    /// Per row: its kept candidates (partner = index into the candidate columns), best first.
    private(set) var lists: [[Candidate]]
    /// Per row: the candidates that come next, in no particular order, held back from the solver:
    /// price-out reads them before it scores the row again (see ``init(model:filter:keep:reserve:)``).
    private(set) var reserves: [[Candidate]]
    /// Per row: the rank of the worst listed candidate when some allowed pair was left out
    /// of the list (every pair left out ranks at most this), −∞ when none was.
    let bars: [Float]
    /// Per row: the same for the pairs left out of both the list and the reserve.
    let outerBars: [Float]
    /// Per row: the pairs the restrictions allow, and those of them meeting min_likelihood and min_fit.
    let allowed: [Int], good: [Int]

    /// One streaming pass keeping `keep[i]` candidates of row `i`, and after them up to
    /// `reserve[i]` more in its reserve. When some partner groups are capped, a row keeps
    /// `keep[i]` candidates among the capped partners and as many among the others: a cap
    /// may rule out most of a row's best partners, and the ones it then needs would
    /// otherwise be found only by price-out, pass after pass.
    ///
    /// The reserve costs the pass little (its selection is wider) and spares price-out a
    /// pass over the row when the pairs that matter rank among the next few hundred: on
    /// the shipped data, the few hundred contested hromadas.
    init(model: ScoreModel, filter: PairFilter, keep: [Int], reserve: [Int]? = nil) {
        struct RowState {
            var main: TopK, capped: TopK
            var scan: RowScan
            var allowed = 0, good = 0
            /// The rank a pair must beat to enter either selection.
            var bar: Float { capped.capacity > 0 ? min(main.entryBar, capped.entryBar) : main.entryBar }
        }
        let split = filter.cappedColumn != nil
        let wider = reserve.map { zip(keep, $0).map { $0 + $1 } } ?? keep
        let keepCapped = keep.map { split ? min($0, 16) : 0 }
        var states = keep.indices.map {
            RowState(main: TopK(capacity: wider[$0]), capped: TopK(capacity: split ? keepCapped[$0] + wider[$0] - keep[$0] : 0),
                     scan: RowScan(filter: filter, row: $0))
        }
        states.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            model.forEachSegment(parts: filter.judges) { segment in
                let state = shared.base + segment.row
                // Partners arrive in index order: once a selection is full, only a
                // strictly higher rank can enter it.
                state.pointee.scan.scan(segment, allowed: &state.pointee.allowed, good: &state.pointee.good,
                                        bar: state.pointee.bar) { column, s, rank in
                    let candidate = Candidate(partner: column, score: s, rank: rank)
                    if let capped = filter.cappedColumn, capped[column] {
                        state.pointee.capped.offer(candidate)
                    } else {
                        state.pointee.main.offer(candidate)
                    }
                    return state.pointee.bar
                }
            }
        }
        // Each row's selections sorted once, the rows shared between the cores. A bar: the
        // worst rank kept by a selection that left some pair out (every pair it left out
        // ranks at most that); −∞ when none did. The list's bar is what the bar of a
        // selection as wide as the list would be: the reserve counts as left out.
        struct Finished { var list: [Candidate] = [], reserve: [Candidate] = [], bar = -Float.infinity, outerBar = -Float.infinity }
        var finished = [Finished](repeating: Finished(), count: states.count)
        finished.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer), n = states.count, threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, n))
            states.withUnsafeBufferPointer { stateBuffer in
                let rows = SharedBuffer(stateBuffer)
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    for i in (n * t / threads)..<(n * (t + 1) / threads) {
                        var row = Finished()
                        func take(_ selection: TopK, _ k: Int) -> [Candidate] {
                            let (kept, reserve) = selection.sorted(first: k)
                            if selection.leftSomeOut || !reserve.isEmpty { row.bar = max(row.bar, kept.last?.rank ?? .infinity) }
                            if selection.leftSomeOut {
                                row.outerBar = max(row.outerBar, reserve.reduce(kept.last?.rank ?? .infinity) { min($0, $1.rank) })
                            }
                            row.reserve += reserve
                            return kept
                        }
                        let main = take(rows[i].main, keep[i])
                        row.list = split ? (main + take(rows[i].capped, keepCapped[i])).sorted(by: Candidate.better) : main
                        shared[i] = row
                    }
                }
            }
        }
        lists = finished.map(\.list)
        reserves = finished.map(\.reserve)
        bars = finished.map(\.bar)
        outerBars = finished.map(\.outerBar)
        allowed = states.map(\.allowed)
        good = states.map(\.good)
    }

    /// The pairs price-out adds for the `flagged` rows, as ``violators(model:filter:rows:lists:margin:limits:reducedCost:)``
    /// defines them, and whether any would improve the solution. A row whose pairs beyond
    /// its reserve are all at least `margin` from improving (`outerBounds`: a lower bound
    /// on their reduced costs) is read from its reserve; the others are scored again.
    /// Returns how many were.
    func priceOut(model: ScoreModel, filter: PairFilter, rows flagged: [Int], outerBounds: [Double], margin: Double, limits: [Int],
                  reducedCost: @Sendable (_ row: Int, _ column: Int, _ rank: Float) -> Double)
        -> (pairs: [Int: [Candidate]], improving: Bool, scored: Int) {
        let streamed = flagged.filter { outerBars[$0] > -.infinity && outerBounds[$0] < margin }
        var found = Self.violators(model: model, filter: filter, rows: streamed, lists: lists, margin: margin, limits: limits,
                                   reducedCost: reducedCost)
        let isStreamed = Set(streamed)
        for i in flagged where !isStreamed.contains(i) {
            // No pair beyond the reserve comes within the margin: the reserve's are all
            // the pass would find, in the same order.
            let close = reserves[i].compactMap { c -> (Double, Candidate)? in
                let reduced = reducedCost(i, c.partner, c.rank)
                return reduced < margin ? (reduced, c) : nil
            }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1.partner < $1.1.partner) }
            if !close.isEmpty { found.pairs[i] = close.prefix(limits[i]).map(\.1) }
            found.improving = found.improving || (close.first?.0 ?? 0) < -1e-9
        }
        return (found.pairs, found.improving, streamed.count)
    }

    /// Adds `pairs` to row `i`'s list, taking them out of its reserve.
    mutating func list(_ pairs: [Candidate], row i: Int) {
        lists[i] += pairs
        let added = Set(pairs.map(\.partner))
        reserves[i].removeAll { added.contains($0.partner) }
    }

    /// The allowed pairs left out of the lists of `rows` whose reduced cost under the
    /// solver's duals is below `margin` (below 0 they would improve the solution; a little
    /// above, they are likely to once the duals move), the lowest first and at most
    /// `limits[i]` for row `i`, and whether any is below 0. A second streaming pass computing each
    /// score exactly as the first did (same model, same blocks and rows per core), so every
    /// score is the same to the last bit; only the rows in question are scored.
    static func violators(model: ScoreModel, filter: PairFilter, rows flagged: [Int], lists: [[Candidate]],
                          margin: Double, limits: [Int],
                          reducedCost: @Sendable (_ row: Int, _ column: Int, _ rank: Float) -> Double)
        -> (pairs: [Int: [Candidate]], improving: Bool) {
        guard !flagged.isEmpty else { return ([:], false) }
        /// A row's pairs below the margin: the `limit` lowest by (reduced cost, partner),
        /// kept in a buffer of at most twice that, cut back to the best `limit` when full,
        /// so memory and sorting stay O(limit) per row whatever the number of partners.
        struct RowState {
            var scan: RowScan
            let limit: Int
            var found: [(Double, Candidate)] = []
            /// Once the buffer has been cut: the worst kept, which a pair must beat to enter.
            var worst: (Double, Int)?

            static func before(_ a: (Double, Candidate), _ b: (Double, Candidate)) -> Bool {
                a.0 < b.0 || (a.0 == b.0 && a.1.partner < b.1.partner)
            }

            mutating func offer(_ reduced: Double, _ c: Candidate) {
                if let (r, partner) = worst, !(reduced < r || (reduced == r && c.partner < partner)) { return }
                found.append((reduced, c))
                if found.count >= 2 * max(limit, 1) {
                    found.sort(by: Self.before)
                    found.removeLast(found.count - limit)
                    worst = found.last.map { ($0.0, $0.1.partner) }
                }
            }
        }
        let listed = flagged.map { Set(lists[$0].map(\.partner)) }
        let slot = { var slot = [Int](repeating: -1, count: lists.count); for (k, i) in flagged.enumerated() { slot[i] = k }; return slot }()
        var states = flagged.map { RowState(scan: RowScan(filter: filter, row: $0), limit: limits[$0]) }
        states.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            model.forEachSegment(rows: slot.map { $0 >= 0 }, parts: filter.judges) { segment in
                let i = segment.row, k = slot[i]
                guard k >= 0 else { return }
                let state = shared.base + k
                var allowed = 0, good = 0
                state.pointee.scan.scan(segment, allowed: &allowed, good: &good, bar: -.infinity) { column, s, rank in
                    let reduced = reducedCost(i, column, rank)
                    if reduced < margin && !listed[k].contains(column) {
                        state.pointee.offer(reduced, Candidate(partner: column, score: s, rank: rank))
                    }
                    return -.infinity
                }
            }
        }
        var out: [Int: [Candidate]] = [:], improving = false
        for (k, i) in flagged.enumerated() where !states[k].found.isEmpty {
            let found = states[k].found.sorted(by: RowState.before)
            improving = improving || found[0].0 < -1e-9
            out[i] = found.prefix(limits[i]).map(\.1)
        }
        return (out, improving)
    }
}
