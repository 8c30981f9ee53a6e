import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// How much the proposals depend on each weight: the matching solved again with one
/// weight changed by −10 % and +10 %, and the share of the proposals that stay. `tune`
/// prints it and writes it to `stability.csv`.
public enum Stability {
    /// One weight changed by one step, and the share of the proposals kept.
    public struct Row: Sendable, Encodable, Equatable {
        public let component: ScoreComponent
        public let change: Double
        public let shareKept: Double
        enum CodingKeys: String, CodingKey { case component, change, shareKept = "share_kept" }
    }

    /// The changes tried on each weight, as fractions.
    public static let changes = [-0.1, 0.1]

    /// The matching as given, then once per non-zero weight and change, two at a time (the
    /// solver runs on one core). A matching that cannot be made with a changed weight
    /// gives no row. `progress` is told each matching done, from worker threads.
    public static func measure(_ instance: MatchInstance,
                               progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws(MatchError) -> [Row] {
        let base = instance.weights
        let kept = Set(try Matcher.match(instance, alternatives: 0).proposals.map(\.pair))
        let runs = ScoreComponent.allCases.filter { base[$0] != 0 }.flatMap { c in changes.map { (component: c, change: $0) } }
        let shares = Shares(count: runs.count)
        DispatchQueue.concurrentPerform(iterations: runs.count) { k in
            var w = base
            w[runs[k].component] *= 1 + runs[k].change
            let share = (try? Matcher.match(instance.with(weights: w), alternatives: 0)).map { r in
                Double(r.proposals.filter { kept.contains($0.pair) }.count) / Double(max(kept.count, 1))
            }
            progress(shares.set(k, share), runs.count)
        }
        let values = shares.values
        return runs.indices.compactMap { k in values[k].map { Row(component: runs[k].component, change: runs[k].change, shareKept: $0) } }
    }
}

/// Results that concurrent matchings fill in.
final class Shares: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Double?]
    private var done = 0
    init(count: Int) { stored = Array(repeating: nil, count: count) }
    /// Stores result `k` and returns how many are in.
    func set(_ k: Int, _ value: Double?) -> Int { lock.withLock { stored[k] = value; done += 1; return done } }
    var values: [Double?] { lock.withLock { stored } }
}
