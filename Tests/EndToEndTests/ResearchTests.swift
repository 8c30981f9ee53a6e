import Foundation
import SeededRandom
import Testing
import TwinningTestSupport
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// What researchers do with `tune`, `evaluate` and `scripts/plots.py`, on a small world
/// where each hromada's true partner is its nearest partner. The plots need Python with
/// matplotlib (Debian's `python3-matplotlib`, which the README's set-up and CI install).
@Suite struct ResearchTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    func world() throws -> URL {
        let dir = try scratchDirectory()
        var rng = SplitMix64(seed: 41)
        var hromadas = "id,name,name_en,level,country,region,population,lat,lon,slots,seeking,status,need_energy,need_water\n"
        var partners = "id,name,name_en,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy,offer_water\n"
        var places: [(Double, Double)] = []
        for j in 0..<40 {
            let lat = Double.random(in: 44...55, using: &rng), lon = Double.random(in: 10...24, using: &rng)
            places.append((lat, lon))
            partners += "P_\(j),Partner \(j),Partner \(j),settlement,\(["PL", "DE", "RO"][j % 3]),1,R\(j % 5),\(Int.random(in: 2000...90000, using: &rng)),"
                + "\(lat),\(lon),1,1,\(Double.random(in: 0...1, using: &rng)),\(Double.random(in: 0...1, using: &rng))\n"
        }
        var ties = "ua_id,eu_id,status\n"
        for i in 0..<15 {
            let lat = Double.random(in: 45...52, using: &rng), lon = Double.random(in: 23...38, using: &rng)
            hromadas += "UA\(i),Громада \(i),Hromada \(i),settlement,UA,Oblast \(i % 4),\(Int.random(in: 2000...90000, using: &rng)),"
                + "\(lat),\(lon),1,1,not_occupied,\(Double.random(in: 0...1, using: &rng)),\(Double.random(in: 0...1, using: &rng))\n"
            let distance = { (k: Int) in ScoreModel.haversineKm(lat1: lat, lon1: lon, lat2: places[k].0, lon2: places[k].1) }
            let nearest = places.indices.min { distance($0) < distance($1) }!
            ties += "UA\(i),P_\(nearest),existing\n"
        }
        try hromadas.write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try partners.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try ties.write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    static let files = ["--hromadas", "h.csv", "--partners", "p.csv"]

    @Test("tune cross-validates, writes rounded weights that record their training, refuses outputs before any work; evaluate writes ranks and warns on training pairs")
    func tuneAndEvaluate() throws {
        let dir = try world()
        var result = try runTwinning(["tune"] + Self.files + ["--truth", "t.csv", "--folds", "3", "--out", "t", "--write-weights", "w.yaml"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3-fold cross-validation by hromada: 15 true pairs of 15 hromadas"))
        for method in ["random (expected)", "proximity only", "weights as given", "gravity, a fitted", "old logit", "model", "hromadas hit@10",
                       "hit@100", "model − old logit, fold by fold", "sign test", "top 10 overlap", "pairs matched by name on both sides"] {
            #expect(result.stdout.contains(method), "\(method) missing")
        }
        let weights = try String(contentsOf: dir.appendingPathComponent("w.yaml"), encoding: .utf8)
        #expect(weights.contains("trained_on:\n  truth: t.csv\n  sha256: ") && weights.contains("UA14"), "\(weights)")
        for line in weights.split(separator: "\n") where ScoreComponent.allCases.contains(where: { line.hasPrefix($0.rawValue + ":") }) {
            #expect((line.split(separator: ".").last?.count ?? 0) <= 4, "not rounded: \(String(line))")
        }
        let ranks = try CSVRows(dir.appendingPathComponent("t/ranks.csv"))
        // Every method that ranks (all but random order) ranks each pair once, in its hromada's fold.
        #expect(ranks.count == 5 * 15 && Set(ranks.map { $0["fold"]! }) == ["1", "2", "3"])
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("t/stability.csv").path))

        // Outputs in the way are refused at once, before the search.
        let started = Date()
        result = try runTwinning(["tune"] + Self.files + ["--truth", "t.csv", "--write-weights", "w.yaml"], in: dir)
        #expect(result.status == 73 && result.stderr.contains("w.yaml: already exists"), "\(result.stderr)")
        result = try runTwinning(["tune"] + Self.files + ["--truth", "t.csv", "--write-weights", "v.yaml", "--out", "t"], in: dir)
        #expect(result.status == 73 && result.stderr.contains("t: already exists"), "\(result.stderr)")
        result = try runTwinning(["evaluate"] + Self.files + ["--truth", "t.csv", "--out", "t"], in: dir)
        #expect(result.status == 73, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        result = try runTwinning(["tune"] + Self.files + ["--truth", "t.csv", "--folds", "2", "--write-weights", "w.yaml", "--force", "--no-stability"], in: dir)
        #expect(result.status == 0 && result.stdout.contains("2-fold"), "\(result.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("w.yaml"), encoding: .utf8).contains("2 folds"))

        result = try runTwinning(["evaluate"] + Self.files + ["--truth", "t.csv", "--weights", "w.yaml", "--out", "e"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: 15 of the 15 true pairs are of hromadas the weights in w.yaml were fitted on (t.csv)"), "\(result.stderr)")
        let evaluated = try CSVRows(dir.appendingPathComponent("e/ranks.csv"))
        #expect(evaluated.count == 3 * 15 && Set(evaluated.map { $0["method"]! }) == ["weights", "proximity only", "gravity"])
        // Proximity alone finds every nearest partner.
        #expect(evaluated.filter { $0["method"] == "proximity only" }.allSatisfy { $0["rank"] == "1" })
        result = try runTwinning(["evaluate"] + Self.files + ["--truth", "t.csv"], in: dir)
        #expect(!result.stderr.contains("warning"), "\(result.stderr)")
    }

    @Test("tune prints the same fitted weights whichever BLAS kernels run: OpenBLAS's generic (Prescott) ones against this CPU's own")
    func sameWeightsOnOtherKernels() throws {
        let dir = try world()
        var printed: [String] = []
        for (k, kernels) in [[:], ["OPENBLAS_CORETYPE": "Prescott"]].enumerated() {
            let result = try runTwinning(["tune"] + Self.files + ["--truth", "t.csv", "--folds", "3", "--no-stability", "--write-weights", "w\(k).yaml"],
                                         in: dir, environment: kernels)
            try #require(result.status == 0, "\(result.stderr)")
            printed.append(try String(contentsOf: dir.appendingPathComponent("w\(k).yaml"), encoding: .utf8))
        }
        #expect(printed[0] == printed[1])
    }

    @Test("match writes the same proposals, fits and likelihoods to the last digit whichever BLAS kernels run: Prescott's against this CPU's own")
    func sameProposalsOnOtherKernels() throws {
        let dir = try world()
        // A few known ties (for the likelihood), the other hromadas seeking.
        let ties = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8).components(separatedBy: "\n")
        try (ties.prefix(6).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("few.csv"), atomically: true, encoding: .utf8)
        var written: [Data] = []
        for (k, kernels) in [[:], ["OPENBLAS_CORETYPE": "Prescott"]].enumerated() {
            let result = try runTwinning(["match"] + Self.files + ["--ties", "few.csv", "--out", "m\(k)", "--format", "csv"], in: dir, environment: kernels)
            try #require(result.status == 0, "\(result.stderr)")
            written.append(try Data(contentsOf: dir.appendingPathComponent("m\(k)/proposals.csv")))
        }
        let text = String(decoding: written[0], as: UTF8.self)
        #expect(text.contains("fit is 30% of the score"), "the offers here are real: the fit counts")
        #expect(text.components(separatedBy: "\n").count > 10, "\(text)")
        #expect(written[0] == written[1])
    }

    @Test("scripts/plots.py draws the rank ECDF, MRR per country, the stability heat map and the score distribution, none blank",
          .tags(.python), .enabled(if: Tool.matplotlib, "needs Debian's python3-matplotlib"))
    func plots() throws {
        let dir = try world()
        for arguments in [["tune"] + Self.files + ["--truth", "t.csv", "--folds", "3", "--out", "t", "--write-weights", "w.yaml"],
                          ["evaluate"] + Self.files + ["--truth", "t.csv", "--out", "e"],
                          ["match"] + Self.files + ["--ties", "t.csv", "--out", "m", "--format", "csv"]] {
            let result = try runTwinning(arguments, in: dir)
            try #require(result.status == 0, "\(arguments[0]): \(result.stderr)")
        }
        let script = Self.root.appendingPathComponent("scripts/plots.py").path
        let run = try python([script, "--evaluate", "e", "--tune", "t", "--proposals", "m", "--out", "figures"], in: dir)
        try #require(run.status == 0, "plots.py failed (is matplotlib installed? apt-get install python3-matplotlib): \(run.output)")
        for name in ["rank-ecdf.png", "mrr-by-country.png", "stability.png", "scores.png"] {
            let path = dir.appendingPathComponent("figures/\(name)").path
            let data = try #require(FileManager.default.contents(atPath: path), "\(name) missing")
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]) && data.count > 10_000, "\(name): \(data.count) bytes")
            // Not blank: the pixels vary.
            let spread = try python(["-c", "import sys, matplotlib.image as m; print(float(m.imread(sys.argv[1]).std()))", path], in: dir)
            #expect((Double(spread.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0.05, "\(name): \(spread.output)")
        }
    }

    func python(_ arguments: [String], in dir: URL) throws -> (status: Int32, output: String) {
        // Debian's Python, where the README's set-up installs matplotlib (python3-matplotlib);
        // a `python3` earlier on the PATH (pyenv, a virtual environment) may lack it.
        let debian = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        let r = try runProcess(URL(fileURLWithPath: debian ? "/usr/bin/python3" : "/usr/bin/env"), (debian ? [] : ["python3"]) + arguments,
                               in: dir, mergingStderr: true)
        return (r.status, r.stdout)
    }
}

/// A CSV the tool wrote, each row's cells by header.
func CSVRows(_ url: URL) throws -> [[String: String]] {
    let table = try CSVTable.parse(Data(contentsOf: url), file: url.lastPathComponent)
    return (0..<table.count).map { r in Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, table.string(r, $0)) }) }
}
