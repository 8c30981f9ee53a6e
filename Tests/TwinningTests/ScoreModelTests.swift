import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch
import SeededRandom

/// A small random registry pair written as CSV and read back through the real loader.
func randomRegistries(hromadas n: Int, partners m: Int, seed: UInt64) throws -> (Registry, Registry) {
    var random = SplitMix64(seed: seed)
    func next() -> Double { random.nextUnit() }
    let sectors: [Sector] = [.energy, .water, .health, .education, .economy]
    func file(_ side: Side, _ count: Int, _ lat: ClosedRange<Double>, _ lon: ClosedRange<Double>) throws -> Registry {
        var text = "id,name,level,country,region,nuts2,population,lat,lon,slots," + sectors.map { side.sectorPrefix + $0.rawValue }.joined(separator: ",")
            + ",profile_urban,profile_rural\n"
        for i in 0..<count {
            let values = sectors.map { _ in String(format: "%.3f", next() < 0.2 ? 0 : next()) }
            let urban = next()
            text += "X\(i),Name \(i),city,\(side == .hromadas ? "UA" : i % 5 == 0 ? "DE" : "PL"),R\(i % 4),N\(i % 3),\(Int(100 + next() * 500_000)),"
                + "\(lat.lowerBound + next() * (lat.upperBound - lat.lowerBound)),\(lon.lowerBound + next() * (lon.upperBound - lon.lowerBound)),1,"
                + values.joined(separator: ",") + ",\(urban),\(1 - urban)\n"
        }
        return try Registry.parse(Data(text.utf8), file: "\(side).csv", side: side)
    }
    return (try file(.hromadas, n, 44...52, 22...40), try file(.partners, m, 36...70, -10...30))
}

/// A score context knowing as ties the (hromada, partner) pairs that are in the registries.
func knowing(_ pairs: [(Int, Int)], _ hromadas: Registry, _ partners: Registry) -> ScoreContext {
    ScoreContext(hromadas: hromadas, partners: partners,
                 ties: pairs.filter { $0.0 < hromadas.count && $0.1 < partners.count }.map { IndexPair($0.0, $0.1) })
}

/// Ties that exercise every known-tie component: partner 17 twins with hromadas 3 and 7
/// (both of oblast R3), so for hromada 3 its `ties` comes from 7 alone.
let someTies = [(0, 5), (3, 17), (7, 17), (2, 150), (7, 210), (11, 5)]

@Suite struct ScoreModelTests {
    @Test("BLAS scores equal the plain Swift formula to 1e-5", arguments: [
        Weights.defaults,
        { var w = Weights(); w[.proximity] = -0.3; w[.profile] = 0; w[.sizeScale] = 0.5; return w }(),
        { var w = Weights(only: [.proximity: 1]); w[.distanceScaleKm] = 50; return w }(),
        // A small size scale: the size factors would overflow, so the logarithmic path runs.
        { var w = Weights(); w[.sizeScale] = 0.05; w[.ties] = 1; return w }(),
        // Weights near the largest double: normalised without overflow.
        { var w = Weights(); for c in ScoreComponent.allCases { w[c] *= 1e307 }; return w }(),
        // Every component, gravity with a steep size exponent.
        { var w = Weights(); for c in ScoreComponent.allCases { w[c] = 1 }; w[.gravitySize] = 1.5; return w }(),
    ])
    func matchesReference(weights: Weights) throws {
        let (h, p) = try randomRegistries(hromadas: 37, partners: 211, seed: 3)
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, context: knowing(someTies, h, p))
        for columns in [0..<100, 100..<211] {
            let block = model.scores(columns: columns)
            for i in 0..<h.count {
                for (b, j) in columns.enumerated() {
                    let reference = model.breakdown(hromada: i, partner: j).score
                    let x = block[i * columns.count + b]
                    #expect(x.isFinite && abs(Double(x) - reference) <= 1e-5, "(\(i), \(j)): \(x) vs \(reference)")
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

    @Test("each component handed out run by run equals the reference, and they combine to the score")
    func componentsBySegment() throws {
        let (h, p) = try randomRegistries(hromadas: 23, partners: 150, seed: 8)
        var weights = Weights()
        for c in ScoreComponent.allCases { weights[c] = 1 }
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, context: knowing(someTies, h, p))
        let (coefficients, constant) = weights.normalised
        let seen = Counter()
        model.forEachSegment(components: ScoreComponent.allCases, blockSize: 64) { s in
            seen.add(s.columns.count)
            for (c, j) in s.columns.enumerated() {
                let reference = model.breakdown(hromada: s.row, partner: j)
                var score = constant
                for (k, component) in ScoreComponent.allCases.enumerated() {
                    let x = Double(s.component(k)[c])
                    #expect(abs(x - reference[component].value) <= 1e-5, "\(component) (\(s.row), \(j))")
                    score += coefficients[component.index] * x
                }
                #expect(abs(score - reference.score) <= 1e-5)
                #expect(abs(Double(s[c]) - reference.score) <= 1e-5)
            }
        }
        #expect(seen.total == h.count * p.count, "every pair visited once")
    }

    @Test("a pass over some hromadas visits only them, with the very scores a pass over all gives")
    func someRows() throws {
        let (h, p) = try randomRegistries(hromadas: 23, partners: 150, seed: 9)
        let model = ScoreModel(hromadas: h, partners: p, weights: Weights(), context: knowing(someTies, h, p))
        let all = model.scores(columns: 0..<p.count)
        let wanted = (0..<h.count).map { $0 % 3 == 1 }
        let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: h.count * p.count)
        defer { out.deallocate() }
        out.initialize(repeating: .nan)
        let shared = SharedBuffer(out)
        model.forEachSegment(rows: wanted) { s in
            (shared.base + s.row * p.count + s.columns.lowerBound).update(from: s.scores, count: s.columns.count)
        }
        for i in 0..<h.count {
            for j in 0..<p.count {
                let k = i * p.count + j
                if wanted[i] { #expect(out[k].bitPattern == all[k].bitPattern, "(\(i), \(j))") } else { #expect(out[k].isNaN) }
            }
        }
    }

    @Test("explanations name the sectors where need meets offer")
    func explanation() throws {
        let (h, p) = try randomRegistries(hromadas: 3, partners: 4, seed: 1)
        let b = ScoreModel(hromadas: h, partners: p).breakdown(hromada: 1, partner: 2)
        #expect(b.components.map(\.component) == ScoreComponent.allCases)
        #expect(abs(b.components.reduce(0) { $0 + $1.contribution } - b.score) < 1e-12)
        let products = b.topSectors.map { $0.need * $0.offer }
        #expect(products == products.sorted(by: >))
        #expect(b.sizeRatio == h.populations[1] / p.populations[2])
    }
}

/// A count that visitors on several threads can add to.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ x: Int) { lock.withLock { value += x } }
    var total: Int { lock.withLock { value } }
}
