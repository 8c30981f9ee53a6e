import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// A bounded selection of the best candidates, for candidates arriving in increasing
/// partner order. Offers are appended to a buffer; when it holds twice the capacity, a
/// quickselect keeps the best `capacity` and raises the entry bar to the worst kept rank.
/// Each offer costs O(1) amortised (a heap costs O(log k)), which matters when a fair
/// share of all pairs is offered, as with a few thousand partners and k in the hundreds.
///
/// Since partners arrive in increasing order, a later candidate with a rank equal to the
/// bar could only be worse on the tie-break (higher index): only a strictly higher rank
/// enters, and ``entryBar`` says which.
///
/// Entries are kept as one integer key each (``Entry``), so that the selection and the
/// final sort compare integers, not (rank, partner) pairs: on the shipped data they are
/// half of the scoring pass's work.
struct TopK: Sendable {
    /// A candidate as a key that orders as ``Candidate/better(_:_:)`` does: the rank's
    /// bits in an order-preserving form above the partner's index complemented (a lower
    /// index is the larger key), and the score beside it.
    struct Entry: Sendable {
        let key: UInt64
        let score: Float

        @inline(__always)
        init(_ c: Candidate) {
            // −0 is +0 (they tie as ranks); a negative float's bits order backwards.
            let bits = (c.rank == 0 ? Float(0) : c.rank).bitPattern
            let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            key = UInt64(ordered) << 32 | UInt64(UInt32.max - UInt32(c.partner))
            score = c.score
        }

        var rank: Float {
            let ordered = UInt32(truncatingIfNeeded: key >> 32)
            return Float(bitPattern: ordered & 0x8000_0000 != 0 ? ordered & 0x7FFF_FFFF : ~ordered)
        }

        var candidate: Candidate {
            Candidate(partner: Int(UInt32.max - UInt32(truncatingIfNeeded: key)), score: score, rank: rank)
        }
    }

    let capacity: Int
    private(set) var items: [Entry] = []
    /// Ranks at or below this cannot enter (−∞ until the first pruning).
    private(set) var entryBar = -Float.infinity

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity > 0 ? 2 * capacity : 0)
    }

    @inline(__always)
    mutating func offer(_ c: Candidate) {
        guard capacity > 0, c.rank > entryBar else { return }
        items.append(Entry(c))
        if items.count >= 2 * capacity { prune() }
    }

    /// Whether some candidate offered (or not offered, being under the entry bar) is not
    /// in the selection: the selection was pruned, or will be trimmed by ``sorted()``.
    var leftSomeOut: Bool { entryBar > -.infinity || items.count > capacity }

    /// Keeps the best `capacity` candidates and raises the bar to the worst of them.
    private mutating func prune() {
        guard items.count > capacity else { return }
        items.withUnsafeMutableBufferPointer { Self.select(best: capacity, in: $0) }
        items.removeLast(items.count - capacity)
        entryBar = items.min { $0.key < $1.key }!.rank
    }

    /// Moves the `k` best of `buffer` (the largest keys) to its front, in no particular
    /// order: Hoare's quickselect with a median-of-three pivot (deterministic).
    static func select(best k: Int, in buffer: UnsafeMutableBufferPointer<Entry>) {
        var low = 0, high = buffer.count - 1
        while low < high {
            let mid = low + (high - low) / 2
            // Median of three as the pivot.
            if buffer[mid].key > buffer[low].key { buffer.swapAt(mid, low) }
            if buffer[high].key > buffer[low].key { buffer.swapAt(high, low) }
            if buffer[high].key > buffer[mid].key { buffer.swapAt(high, mid) }
            let pivot = buffer[mid].key
            var i = low, j = high
            while i <= j {
                while buffer[i].key > pivot { i += 1 }
                while pivot > buffer[j].key { j -= 1 }
                if i <= j { buffer.swapAt(i, j); i += 1; j -= 1 }
            }
            if k - 1 <= j { high = j } else if k - 1 >= i { low = i } else { return }
        }
    }

    /// The best `k` of the selection, best first, and the rest of it in no particular
    /// order (sorting only what needs it).
    func sorted(first k: Int) -> (best: [Candidate], rest: [Candidate]) {
        var all = items
        all.withUnsafeMutableBufferPointer { buffer in
            if buffer.count > capacity { Self.select(best: capacity, in: buffer) }
            let kept = UnsafeMutableBufferPointer(rebasing: buffer[..<min(capacity, buffer.count)])
            if kept.count > k { Self.select(best: k, in: kept) }
            var best = UnsafeMutableBufferPointer(rebasing: kept[..<min(k, kept.count)])
            best.sort { $0.key > $1.key }
        }
        let kept = min(capacity, all.count), cut = min(k, kept)
        return (all[..<cut].map(\.candidate), all[cut..<kept].map(\.candidate))
    }

    /// The selection, best first.
    func sorted() -> [Candidate] { sorted(first: capacity).best }
}

extension ScoreModel {
    /// The `k` best partners of every hromada among `candidates` (all partners when nil),
    /// best first, ties broken by lower partner index. Blocks of partners are scored in
    /// turn and only a k-element selection per hromada is kept, so memory stays bounded.
    ///
    /// - Complexity: the scoring of every pair, plus O(n · m · log k) selection at worst.
    public func topCandidates(k: Int, candidates: [Bool]? = nil, blockSize: Int = ScoreModel.blockSize) -> [[Candidate]] {
        var heaps = [TopK](repeating: TopK(capacity: k), count: hromadas.count)
        heaps.withUnsafeMutableBufferPointer { h in
            let h = SharedBuffer(h)
            forEachSegment(blockSize: blockSize) { segment in
                let heap = h.base + segment.row
                // Partners arrive in index order, so once the selection is full only a
                // strictly higher score can enter it.
                var bar = heap.pointee.entryBar
                for c in 0..<segment.columns.count where segment[c] > bar {
                    let partner = segment.columns.lowerBound + c
                    if let candidates, !candidates[partner] { continue }
                    heap.pointee.offer(Candidate(partner: partner, score: segment[c]))
                    bar = heap.pointee.entryBar
                }
            }
        }
        return heaps.map { $0.sorted() }
    }
}
