import Foundation
import Testing
@testable import Twinning

/// A small random registry pair written as CSV and read back through the real loader.
func randomRegistries(hromadas n: Int, partners m: Int, seed: UInt64) throws -> (Registry, Registry) {
    var state = seed
    func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    let sectors = ["energy", "water", "health", "education", "economy"]
    func file(_ side: Side, _ count: Int, _ lat: ClosedRange<Double>, _ lon: ClosedRange<Double>) throws -> Registry {
        var text = "id,name,level,country,population,lat,lon,slots," + sectors.map { side.sectorPrefix + $0 }.joined(separator: ",")
            + ",profile_urban,profile_rural\n"
        for i in 0..<count {
            let values = sectors.map { _ in String(format: "%.3f", next() < 0.2 ? 0 : next()) }
            let urban = next()
            text += "X\(i),Name \(i),city,\(side == .hromadas ? "UA" : "PL"),\(Int(100 + next() * 500_000)),"
                + "\(lat.lowerBound + next() * (lat.upperBound - lat.lowerBound)),\(lon.lowerBound + next() * (lon.upperBound - lon.lowerBound)),1,"
                + values.joined(separator: ",") + ",\(urban),\(1 - urban)\n"
        }
        return try Registry.parse(Data(text.utf8), file: "\(side).csv", side: side)
    }
    return (try file(.hromadas, n, 44...52, 22...40), try file(.partners, m, 36...70, -10...30))
}

@Suite struct ScoreModelTests {
    @Test("BLAS scores equal the plain Swift formula to 1e-5", arguments: [
        Weights.defaults,
        { var w = Weights(); w.proximity = -0.3; w.profile = 0; w.sizeScale = 0.5; return w }(),
        { var w = Weights(); w.needs = 0; w.size = 0; w.profile = 0; w.ties = 0; w.proximity = 1; w.distanceScaleKm = 50; return w }(),
    ])
    func matchesReference(weights: Weights) throws {
        let (h, p) = try randomRegistries(hromadas: 37, partners: 211, seed: 3)
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, ties: [(0, 5), (3, 17), (2, 150), (7, 210)])
        for columns in [0..<100, 100..<211] {
            let block = model.scores(columns: columns)
            for i in 0..<h.count {
                for (b, j) in columns.enumerated() {
                    let reference = model.breakdown(hromada: i, partner: j).score
                    #expect(abs(Double(block[i * columns.count + b]) - reference) <= 1e-5, "(\(i), \(j))")
                }
            }
        }
    }

    @Test("great-circle distances from unit-vector dot products agree with haversine to 0.1 km")
    func distances() throws {
        let (h, p) = try randomRegistries(hromadas: 20, partners: 50, seed: 9)
        let model = ScoreModel(hromadas: h, partners: p)
        let dots = model.sphereA.timesTransposed(model.sphereB, rows: 0..<p.count)
        for i in 0..<h.count {
            for j in 0..<p.count {
                let chord = max(0, 2 - 2 * dots.storage[i * p.count + j]).squareRoot()
                let viaBLAS = 2 * ScoreModel.earthRadiusKm * asin(min(1, chord / 2))
                let haversine = model.breakdown(hromada: i, partner: j).distanceKm
                #expect(abs(viaBLAS - haversine) < 0.1)
            }
        }
        // Two towns 1 km apart stay 1 km apart.
        #expect(abs(ScoreModel.haversineKm(lat1: 50, lon1: 30, lat2: 50 + 1 / 111.2, lon2: 30) - 1) < 0.01)
    }

    @Test("top-k selection returns the k best by score, ties by index")
    func topK() throws {
        let (h, p) = try randomRegistries(hromadas: 9, partners: 300, seed: 4)
        let model = ScoreModel(hromadas: h, partners: p)
        let top = model.topCandidates(k: 7, blockSize: 64)
        let all = model.scores(columns: 0..<p.count)
        for i in 0..<h.count {
            let expected = (0..<p.count).map { Candidate(partner: $0, score: all[i * p.count + $0]) }
                .sorted(by: Candidate.better).prefix(7)
            #expect(top[i] == Array(expected))
        }
    }

    @Test("explanations name the sectors where need meets offer")
    func explanation() throws {
        let (h, p) = try randomRegistries(hromadas: 3, partners: 4, seed: 1)
        let b = ScoreModel(hromadas: h, partners: p).breakdown(hromada: 1, partner: 2)
        #expect(b.components.map(\.name) == ["needs", "profile", "size", "proximity", "ties"])
        #expect(abs(b.components.reduce(0) { $0 + $1.contribution } - b.score) < 1e-12)
        let products = b.topSectors.map { $0.need * $0.offer }
        #expect(products == products.sorted(by: >))
        #expect(b.sizeRatio == h.populations[1] / p.populations[2])
    }
}
