import Assignment
import Foundation
import LinearAlgebra
import Twinning

// Usage: match-timing HROMADAS PARTNERS TIES [REPEATS] [--candidates all] [--rules FILE] [--k N] [--reserve N]
// Times each stage of `twinning match` on the given files and prints the fastest of the
// repeats (the least disturbed by other work on a shared machine) as JSON.
_ = BLASRuntime.prepare()
let args = CommandLine.arguments
let repeats = args.count > 4 ? Int(args[4])! : 5
func value(_ flag: String) -> String? { args.firstIndex(of: flag).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
let all = value("--candidates") == "all"
let rulesFile = value("--rules")
let k = value("--k").flatMap { Int($0) } ?? Matcher.Options().candidatesPerHromada
let reserve = value("--reserve").flatMap { Int($0) } ?? Matcher.Options().candidatesInReserve
nonisolated(unsafe) var stages: [String: [Double]] = [:]
func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    stages[name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    return value
}
var total = 0.0
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    let loaded = try time("load") { try LoadedInputs.load(InputPaths(hromadas: args[1], partners: args[2], ties: args[3], rules: rulesFile)) }
    let instance = time("instance") { loaded.instance(candidates: all ? .all : .volunteers) }
    let result = try time("match") { try Matcher.match(instance, options: Matcher.Options(candidatesPerHromada: k, candidatesInReserve: reserve)) }
    stages["match.price_out_rounds", default: []].append(Double(result.timings.pricingRounds))
    stages["match.pairs_added", default: []].append(Double(result.timings.pairsAdded))
    stages["match.cold_resolves", default: []].append(Double(result.timings.coldResolves))
    stages["match.price_out_rows_scored", default: []].append(Double(result.timings.pricingRowsScored))
    stages["match.score", default: []].append(result.timings.scoring)
    stages["match.solve", default: []].append(result.timings.solving)
    stages["match.price_out", default: []].append(result.timings.pricing)
    let table = time("table") { ProposalTable(result: result, instance: instance, inputs: loaded.recorded) }
    _ = time("csv") { table.proposalsTable.csv() }
    _ = try time("json") { try table.json() }
    _ = try time("files_in_parallel") { try table.files() }
    stages["end_to_end_in_process", default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    total = result.total
}
var out: [String: Any] = stages.mapValues { $0.min()! }
out["total_score"] = total
let json = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys, .prettyPrinted])
print(String(decoding: json, as: UTF8.self))

// The same problem solved densely (every pair's score in one matrix, the dense solver):
// what `match` did before the candidate lists.
if args.contains("--dense") {
    let loaded = try LoadedInputs.load(InputPaths(hromadas: args[1], partners: args[2], ties: args[3]))
    let instance = loaded.instance()
    let rows = instance.seeking, columns = (0..<loaded.partners.count).filter { instance.isCandidate[$0] }
    let model = ScoreModel(hromadas: loaded.hromadas, partners: loaded.partners, weights: loaded.weights,
                           context: instance.context, rows: rows, columns: columns)
    let scores = model.scores(columns: 0..<columns.count)
    let problem = AssignmentProblem<Float>(rows: rows.count, columns: columns.count, values: scores, objective: .maximize,
                                           rowDemands: rows.map { instance.demand[$0] },
                                           columnCapacities: columns.map { loaded.partners.slots[$0] }, threshold: 0)
    var times: [Double] = []
    var solution: AssignmentSolution! = nil
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        solution = try problem.solve()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    print("dense solve \(times.min()!) s, total \(solution.total)")
}
