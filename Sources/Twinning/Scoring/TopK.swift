import Foundation

/// A scored partner of one hromada.
public struct Candidate: Sendable, Equatable {
    public let partner: Int
    public let score: Float
    /// What candidates are ranked by: the score, plus an incumbency bonus in the batch.
    public let rank: Float
    public init(partner: Int, score: Float, rank: Float? = nil) {
        self.partner = partner
        self.score = score
        self.rank = rank ?? score
    }
    /// Better: higher rank, then lower index.
    static func better(_ a: Candidate, _ b: Candidate) -> Bool {
        a.rank > b.rank || (a.rank == b.rank && a.partner < b.partner)
    }
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

    /// The selection, best first: the heap emptied worst first, then reversed (a heap
    /// sort with the comparison inlined, faster here than a general sort).
    func sorted() -> [Candidate] {
        var h = self
        var out: [Candidate] = []
        out.reserveCapacity(heap.count)
        while let worst = h.popWorst() { out.append(worst) }
        out.reverse()
        return out
    }

    private mutating func popWorst() -> Candidate? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
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
        return top
    }

    /// Ranks at or below this cannot enter (−∞ while there is room).
    var entryBar: Float { heap.count < capacity ? -.infinity : heap[0].rank }

    var isFull: Bool { heap.count >= capacity }
}

extension ScoreModel {
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
}
