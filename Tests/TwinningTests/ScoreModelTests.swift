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
/// `mixedFit`: every third partner's offers marked synthetic (`offers_synthetic`), every
/// seventh other partner offering nothing, every fifth hromada needing nothing.
func randomRegistries(hromadas n: Int, partners m: Int, seed: UInt64, mixedFit: Bool = false) throws -> (Registry, Registry) {
    var random = SplitMix64(seed: seed)
    func next() -> Double { random.nextUnit() }
    let sectors: [Sector] = [.energy, .water, .health, .education, .economy]
    func file(_ side: Side, _ count: Int, _ lat: ClosedRange<Double>, _ lon: ClosedRange<Double>) throws -> Registry {
        var text = "id,name,level,country,region,nuts2,population,lat,lon,slots," + sectors.map { side.sectorPrefix + $0.rawValue }.joined(separator: ",")
            + ",profile_urban,profile_rural" + (mixedFit && side == .partners ? ",offers_synthetic\n" : "\n")
        for i in 0..<count {
            var values = sectors.map { _ in String(format: "%.3f", next() < 0.2 ? 0 : next()) }
            let nothing = mixedFit && (side == .hromadas ? i % 5 == 0 : i % 7 == 0 && i % 3 != 0)
            if nothing { values = values.map { _ in "0" } }
            let urban = next()
            text += "X\(i),Name \(i),city,\(side == .hromadas ? "UA" : i % 5 == 0 ? "DE" : "PL"),R\(i % 4),N\(i % 3),\(Int(100 + next() * 500_000)),"
                + "\(lat.lowerBound + next() * (lat.upperBound - lat.lowerBound)),\(lon.lowerBound + next() * (lon.upperBound - lon.lowerBound)),1,"
                + values.joined(separator: ",") + ",\(urban),\(1 - urban)"
                + (mixedFit && side == .partners ? (i % 3 == 0 ? ",1\n" : ",0\n") : "\n")
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
                #expect(abs(score - reference.componentScore) <= 1e-5)
                let share = reference.fitShare
                score = (1 - share) * score + share * (reference.fit ?? reference.typicalFit ?? 0)
                #expect(abs(score - reference.score) <= 1e-5)
                #expect(abs(Double(s[c]) - reference.score) <= 1e-5)
            }
        }
        #expect(seen.total == h.count * p.count, "every pair visited once")
    }

    @Test("a component read one at a time (ComponentValues) is the segment's, to the bit")
    func componentsOneAtATime() throws {
        let (h, p) = try randomRegistries(hromadas: 23, partners: 150, seed: 8)
        var weights = Weights()
        weights[.gravitySize] = 1.5
        let model = ScoreModel(hromadas: h, partners: p, weights: weights, context: knowing(someTies, h, p))
        let reader = ComponentValues(model: model, blockSize: 64)
        let mismatches = Counter()
        // One row visited per pass: its visits come from one thread, which the reader needs.
        for i in 0..<h.count {
            var wanted = [Bool](repeating: false, count: h.count)
            wanted[i] = true
            model.forEachSegment(components: ScoreComponent.allCases, blockSize: 64, rows: wanted) { s in
                for (k, c) in ScoreComponent.allCases.enumerated() {
                    let one = reader.values(c, row: s.row, block: s.columns)
                    for j in 0..<s.columns.count {
                        // The profile is a GEMM's product: of one row here, of a tile there.
                        let same = c == .profile ? abs(one[j] - s.component(k)[j]) <= 1e-6 : one[j] == s.component(k)[j]
                        if !same { mismatches.add(1) }
                    }
                }
            }
        }
        #expect(mismatches.total == 0)
    }

    @Test("the fit: Σ need × offer / Σ need where the offers count, the typical fit elsewhere; the same by BLAS, by hand and on any subset of partners")
    func fit() throws {
        let (h, p) = try randomRegistries(hromadas: 20, partners: 140, seed: 12, mixedFit: true)
        let model = ScoreModel(hromadas: h, partners: p), share = ScoreParameter.fitShare.defaultValue
        let all = model.scores(columns: 0..<p.count)
        let half = Array(stride(from: 1, to: p.count, by: 2))
        let some = ScoreModel(hromadas: h, partners: p, context: model.context, columns: half).scores(columns: 0..<half.count)
        for i in 0..<h.count {
            let need = (0..<h.sectors.count).map { Double(h.sectorValues[i, $0]) }, needTotal = need.reduce(0, +)
            var fits: [Double] = []
            for j in 0..<p.count {
                let b = model.breakdown(hromada: i, partner: j)
                let offer = (0..<p.sectors.count).map { Double(p.sectorValues[j, $0]) }
                let status: ScoreModel.OfferStatus = j % 3 == 0 ? .synthetic : j % 7 == 0 ? .none : .counted
                #expect(b.offers == status, "partner \(j)")
                if status == .counted && i % 5 != 0 {
                    let expected = zip(need, offer).reduce(0) { $0 + $1.0 * $1.1 } / needTotal
                    #expect(abs(b.fit! - expected) <= 1e-6, "(\(i), \(j))")
                    fits.append(expected)
                } else {
                    #expect(b.fit == nil, "(\(i), \(j))")
                }
                #expect(b.fitShare == share)
                #expect(abs(b.score - ((1 - share) * b.componentScore + share * (b.fit ?? b.typicalFit!))) <= 1e-12)
                #expect(abs(Double(all[i * p.count + j]) - b.score) <= 1e-5, "(\(i), \(j))")
                if j % 2 == 1 { #expect(abs(some[i * half.count + j / 2] - all[i * p.count + j]) <= 1e-6) }
            }
            // The typical fit is the mean of the hromada's fits with every partner whose offers count.
            if i % 5 != 0 {
                #expect(abs(model.breakdown(hromada: i, partner: 0).typicalFit! - fits.reduce(0, +) / Double(fits.count)) <= 1e-6)
            }
        }
        // With no offers that count, there is no fit anywhere: the score is the components' alone.
        let (plain, invented) = try randomRegistries(hromadas: 6, partners: 30, seed: 12)
        let synthetic = Registry(side: .partners, file: invented.file, ids: invented.ids, names: invented.names, latinNames: invented.latinNames,
                                 levels: invented.levels, countries: invented.countries, regions: invented.regions, nuts2: invented.nuts2,
                                 populations: invented.populations, latitudes: invented.latitudes, longitudes: invented.longitudes,
                                 slots: invented.slots, sectors: invented.sectors, sectorValues: invented.sectorValues, profiles: invented.profiles,
                                 profileValues: invented.profileValues, volunteers: invented.volunteers, euMembers: invented.euMembers,
                                 seeking: invented.seeking, statuses: invented.statuses, lines: invented.lines,
                                 syntheticOffers: Array(repeating: true, count: invented.count))
        var noFit = Weights()
        noFit[.fitShare] = 0
        let without = ScoreModel(hromadas: plain, partners: synthetic)
        #expect(without.scores(columns: 0..<30) == ScoreModel(hromadas: plain, partners: invented, weights: noFit).scores(columns: 0..<30))
        #expect(without.breakdown(hromada: 0, partner: 0).fit == nil && without.breakdown(hromada: 0, partner: 0).typicalFit == nil)
        #expect(without.breakdown(hromada: 0, partner: 0).fitNote == "no fit: the partner's offers are synthetic")
    }

    @Test("reasons in words say the data's facts: distance, sizes, the oblast's known ties (its own left out), the partner's ties and standing, the fit")
    func reasons() throws {
        let (h, p) = try randomRegistries(hromadas: 12, partners: 220, seed: 8)
        let model = ScoreModel(hromadas: h, partners: p, context: knowing(someTies, h, p))
        // Hromada 3 (R3) and partner 17 (PL, N2): R3's other ties are 7–17 (PL, N2), 7–210 (DE), 11–5 (DE); 3–17 is its own.
        let b = model.breakdown(hromada: 3, partner: 17)
        #expect(b.reasons.contains("R3 already twins with 1 town in Poland, in the partner's region"), "\(b.reasons)")
        #expect(b.reasons.contains("already twins with another hromada of R3"), "\(b.reasons)")
        let germany = try #require((0..<p.count).first { p.countries[$0] == "DE" && p.nuts2[$0] == "N1" })
        #expect(model.breakdown(hromada: 3, partner: germany).reasons.contains("R3 already twins with 2 towns in Germany"))
        // Hromada 1 (R1) has no known ties: nothing is said of them.
        #expect(!model.breakdown(hromada: 1, partner: 17).reasons.contains { $0.contains("twins") })
        for i in 0..<h.count {
            for j in stride(from: 0, to: p.count, by: 7) {
                let b = model.breakdown(hromada: i, partner: j), r = b.reasons
                // The fit first (these offers count), then the distance, then the sizes.
                #expect(r[0].hasPrefix("offers ") || r[0].hasPrefix("meets "), "\(r)")
                #expect(r[0].contains("(fit \(Decimals.fixed(b.fit!, 2)); typical \(Decimals.fixed(b.typicalFit!, 2)))"), "\(r)")
                #expect(r[1] == "\(Decimals.grouped(b.distanceKm)) km apart")
                let people = "\(Decimals.grouped(h.populations[i])) and \(Decimals.grouped(p.populations[j])) inhabitants"
                let ratio = h.populations[i] / p.populations[j]
                #expect(r[2] == (ratio >= 0.5 && ratio <= 2 ? "similar size: \(people)"
                                 : "\(ratio < 1 ? "partner" : "hromada") \(Decimals.grouped(max(ratio, 1 / ratio))) times larger: \(people)"))
            }
        }
        #expect([9361, 1_234_567, 999, -1200, 0.4, 1000].map(Decimals.grouped) == ["9,361", "1,234,567", "999", "-1,200", "0", "1,000"])
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
        #expect(abs(b.components.reduce(0) { $0 + $1.contribution } - b.componentScore) < 1e-12)
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

@Suite struct FastMathTests {
    @Test("double-precision exp: within 4 ulp of the C library's over [−708, 0], 0 below, exactly 1 at 0")
    func doubleExp() {
        var worst = 0.0
        var x = -708.0
        while x <= 0 {
            let lanes = SIMD8<Double>(x, x / 2, x / 3, x / 7, x / 100, x / 1e4, x / 1e8, x * 1e-12)
            let fast = FastMath.exp(lanes)
            for l in 0..<8 { worst = max(worst, abs(fast[l] - Foundation.exp(lanes[l])) / Foundation.exp(lanes[l])) }
            x += 0.37
        }
        #expect(worst < 4 * Double.ulpOfOne, "worst relative error \(worst)")
        #expect(FastMath.exp(SIMD8<Double>(repeating: 0))[3] == 1)
        #expect(FastMath.exp(SIMD8<Double>(repeating: -800))[0] == 0)
    }
}
