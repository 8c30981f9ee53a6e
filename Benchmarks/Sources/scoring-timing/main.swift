import Foundation
import LinearAlgebra
import Twinning

// Usage: scoring-timing DATA_DIR OUT_JSON [REPEATS]
// Loads Data/, then scores all 1,470 hromadas × 98,613 LAUs with seeded 17-dimensional
// need/offer vectors (one per sector) (the real populations and coordinates), as the numpy peer does.
_ = BLASRuntime.prepare()
let args = CommandLine.arguments
let data = args.count > 1 ? args[1] : "Data"
let outPath = args.count > 2 ? args[2] : "/tmp/twinning-scoring.json"
let repeats = args.count > 3 ? Int(args[3])! : 3

func median(_ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

var partners: Registry! = nil, hromadas: Registry! = nil
let loadPartners = try median { partners = try Registry.load(path: data + "/partners.csv", side: .partners) }
let loadHromadas = try median { hromadas = try Registry.load(path: data + "/hromadas.csv", side: .hromadas) }

// Seeded uniform [0, 1) vectors, the same 64-bit LCG as the peer script.
struct Draws {
    var state: UInt64 = 20261129
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24)
    }
}
var draws = Draws()
let sectors = Sector.allCases
let d = sectors.count
let needs = Matrix(rows: hromadas.count, columns: d, storage: (0..<(hromadas.count * d)).map { _ in draws.next() })
let offers = Matrix(rows: partners.count, columns: d, storage: (0..<(partners.count * d)).map { _ in draws.next() })
let h = Registry(side: .hromadas, ids: hromadas.ids, country: "UA", populations: hromadas.populations,
                 latitudes: hromadas.latitudes, longitudes: hromadas.longitudes, sectors: sectors, sectorValues: needs,
                 regions: hromadas.regions)
let p = Registry(side: .partners, ids: partners.ids, country: "PL", populations: partners.populations,
                 latitudes: partners.latitudes, longitudes: partners.longitudes, sectors: sectors, sectorValues: offers)

let model = ScoreModel(hromadas: h, partners: p)
var top: [[Candidate]] = []
let scoring = median { top = model.topCandidates(k: 50) }
let scoreOnly = median { model.forEachSegment { _ in } }
var scoreOnlyByBlock: [String: Double] = [:]
for block in [256, 1024, 4096, 16384] {
    scoreOnlyByBlock[String(block)] = median { model.forEachSegment(blockSize: block) { _ in } }
}

let scoringPeak = peakResidentMiB()

// GEMM alone: the full 1,470 × 98,613 product of the 17-dimensional vectors.
var product: Matrix? = nil
let gemm = median { product = needs.timesTransposed(offers) }
let gflops = 2.0 * Double(needs.rows) * Double(offers.rows) * Double(d) / gemm / 1e9
product = nil

// GEMM as scoring runs it: blocks of partners into one reused buffer.
var blockTimes: [String: Double] = [:]
for block in [256, 1024, 4096, 16384] {
    var buffer = Matrix(rows: needs.rows, columns: block)
    let t = median {
        var start = 0
        while start < offers.rows {
            let range = start..<min(offers.rows, start + block)
            if range.count == block { needs.timesTransposed(offers, rows: range, into: &buffer) }
            else { _ = needs.timesTransposed(offers, rows: range) }
            start = range.upperBound
        }
    }
    blockTimes[String(block)] = 2.0 * Double(needs.rows) * Double(offers.rows) * Double(d) / t / 1e9
}

func peakResidentMiB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "VmHWM: 0 kB"
    return Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
}
let result: [String: Any] = [
    "blas": BLASRuntime.summary, "load_partners_s": loadPartners, "load_hromadas_s": loadHromadas,
    "gemm_s": gemm, "gemm_gflops": gflops, "gemm_blocked_gflops": blockTimes,
    "gemm_pipeline_gflops": blockTimes[String(ScoreModel.blockSize)]!, "block_size": ScoreModel.blockSize, "score_top50_s": scoring, "score_only_s": scoreOnly, "score_only_by_block_s": scoreOnlyByBlock, "peak_rss_mib": scoringPeak,
    "best_first_hromada": top[0][0].partner,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
FileManager.default.createFile(atPath: outPath, contents: json)
print(String(decoding: json, as: UTF8.self))
