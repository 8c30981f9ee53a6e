import Assignment
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

/// `Matcher.match` (streamed candidate lists, sparse flow, price-out) against the dense
/// solver on every allowed pair, through the product's own loaders and rules.
@Suite struct MatcherTests {
    /// A random instance: registries with mixed levels, countries, regions, slots,
    /// volunteers, sign-ups and statuses; ties; a rules file with every kind of rule the
    /// seed picks.
    static func instance(seed: UInt64) throws -> MatchInstance {
        var random = SplitMix64(seed: seed)
        func unit() -> Double { random.nextUnit() }
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &random)] }
        let sectors: [Sector] = [.energy, .water, .health, .education]
        let n = Int.random(in: 3...14, using: &random), m = Int.random(in: 4...30, using: &random)
        func registry(_ side: Side, _ count: Int) throws -> Registry {
            var text = "id,name,level,country,region,population,lat,lon,slots,volunteer,seeking,status,"
                + sectors.map { side.sectorPrefix + $0.rawValue }.joined(separator: ",") + "\n"
            for i in 0..<count {
                let country = side == .hromadas ? "UA" : pick(["PL", "DE", "NO", "LT"])
                text += "\(side == .hromadas ? "UA" : country)\(i),N\(i),\(pick(Level.allCases).rawValue),\(country),R\(i % 3),"
                    + "\(Int(500 + unit() * 200_000)),\(45 + unit() * 10),\(10 + unit() * 25),\(pick([0, 1, 1, 1, 2, 3])),"
                    + "\(side == .hromadas || unit() < 0.8 ? 1 : 0),\(pick(["", "", "1", "0"])),\(pick(["not_occupied", "occupied", "war_zone"])),"
                    + sectors.map { _ in Decimals.fixed(unit() < 0.3 ? 0 : unit(), 3) }.joined(separator: ",") + "\n"
            }
            return try Registry.parse(Data(text.utf8), file: "\(side).csv", side: side)
        }
        let h = try registry(.hromadas, n), p = try registry(.partners, m)
        var ties = "ua_id,eu_id,status\n", used = Set<IndexPair>()
        func freshPair() -> IndexPair? {
            let pair = IndexPair(Int.random(in: 0..<n, using: &random), Int.random(in: 0..<m, using: &random))
            return used.insert(pair).inserted ? pair : nil
        }
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            if let pair = freshPair() { ties += "\(h.ids[pair.hromada]),\(p.ids[pair.partner]),\(pick(["existing", "existing", "rejected"]))\n" }
        }
        var rules = ""
        let countries = Array(Set(p.countries)).sorted()
        if unit() < 0.3 { rules += "min_likelihood: \(Decimals.fixed(unit() * 0.8, 2))\n" }
        if unit() < 0.3 { rules += "min_fit: \(Decimals.fixed(unit() * 0.5, 2))\n" }
        if unit() < 0.2 { rules += "eu_members_only: true\n" }
        if unit() < 0.2 { rules += "partner_countries: [\(countries.filter { _ in unit() < 0.7 }.joined(separator: ", "))]\n" }
        if unit() < 0.2 { rules += "partner_population: [\(Int(unit() * 20_000)), \(Int(60_000 + unit() * 200_000))]\n" }
        if unit() < 0.2 { rules += "exclude_oblasts: [R\(Int.random(in: 0..<3, using: &random))]\n" }
        if unit() < 0.2 { rules += "exclude_status: [\(h.statuses[0])]\n" }
        if unit() < 0.5, let pair = freshPair() { rules += "forbidden:\n  - [\(h.ids[pair.hromada]), \(p.ids[pair.partner])]\n" }
        if unit() < 0.25 { rules += "max_distance_km: \(Int(600 + unit() * 1_500))\n" }
        if unit() < 0.3 { rules += "levels:\n  village: [village, settlement]\n  city: [city, region]\n" }
        if unit() < 0.4, let pair = freshPair(), p.slots[pair.partner] > 0, h.slots[pair.hromada] > 0 {
            rules += "locked:\n  - [\(h.ids[pair.hromada]), \(p.ids[pair.partner])]\n"
        }
        if unit() < 0.5 {
            let byCountry = unit() < 0.5, codes = byCountry ? countries : ["R0", "R1", "R2"]
            let key = byCountry ? "country" : "region"
            var caps: [String: Int] = [:]
            if unit() < 0.7 {
                for code in codes where unit() < 0.5 { caps[code] = Int.random(in: 0...3, using: &random) }
                if !caps.isEmpty { rules += "\(key)_caps:\n" + caps.sorted { $0.key < $1.key }.map { "  \($0): \($1)\n" }.joined() }
            }
            if unit() < 0.5 {
                let least = codes.filter { _ in unit() < 0.4 }.map { ($0, min(caps[$0] ?? 9, Int.random(in: 0...2, using: &random))) }
                if !least.isEmpty { rules += "\(key)_minimums:\n" + least.map { "  \($0): \($1)\n" }.joined() }
            }
        }
        let hromadaTies = try Ties.parse(Data(ties.utf8), file: "ties.csv", hromadas: h, partners: p)
        let parsed = try Rules.parse(rules, file: "rules.yaml")
        let restrictions = try Restrictions(rules: parsed, ties: hromadaTies, hromadas: h, partners: p)
        let incumbents = Set((0..<3).compactMap { _ in freshPair() })
        return MatchInstance(hromadas: h, partners: p, ties: hromadaTies, rules: parsed, weights: .defaults,
                             restrictions: restrictions, pool: unit() < 0.5 ? .volunteers : .all,
                             incumbents: incumbents, incumbencyBonus: unit() < 0.5 ? 0.05 : 0)
    }

    /// The dense problem: every seeking hromada against every candidate partner, the
    /// instance's mask, min_likelihood and min_fit, caps and locked pairs, scores plus incumbency bonus.
    struct Dense {
        let rows: [Int], columns: [Int], scores: [Float], allowed: [Bool]
        let problem: AssignmentProblem<Double>

        init(_ instance: MatchInstance) {
            let rows = instance.seeking, columns = (0..<instance.partners.count).filter { instance.isCandidate[$0] }
            self.rows = rows
            self.columns = columns
            let model = instance.scoreModel(rows: rows, columns: columns)
            let scores = model.scores(columns: 0..<columns.count)
            // Each pair's components' score and fit, against the minimums' floors.
            let width = columns.count
            var parts = [Float](repeating: 0, count: 2 * rows.count * width)
            parts.withUnsafeMutableBufferPointer { buffer in
                let shared = SharedBuffer(buffer)
                model.forEachSegment(parts: true) { s in
                    for c in s.columns {
                        shared.base[s.row * width + c] = s.componentScores![c - s.columns.lowerBound]
                        shared.base[(rows.count + s.row) * width + c] = s.fits![c - s.columns.lowerBound]
                    }
                }
            }
            let r = instance.restrictions, lockedPairs = Set(r.locked.map(\.pair)), floors = r.floors(instance.likelihood)
            func meetsMinimums(_ a: Int, _ b: Int) -> Bool {
                parts[a * width + b] >= floors.components && !(parts[(rows.count + a) * width + b] < floors.fit)
            }
            var allowed = [Bool](), values = [Double]()
            for (a, i) in rows.enumerated() {
                for (b, j) in columns.enumerated() {
                    let pair = IndexPair(i, j), s = scores[a * columns.count + b]
                    allowed.append(lockedPairs.contains(pair) || (instance.exclusion(of: pair) == nil && meetsMinimums(a, b)))
                    values.append(Double(s) + (instance.incumbents.contains(pair) ? instance.incumbencyBonus : 0))
                }
            }
            self.allowed = allowed
            self.scores = scores
            let groups = r.groups, codes = groups?.codes ?? []
            problem = AssignmentProblem(
                rows: rows.count, columns: columns.count, values: values, objective: .maximize, allowed: allowed,
                rowDemands: rows.map { instance.demand[$0] }, columnCapacities: columns.map { instance.partners.slots[$0] },
                locked: r.locked.map { pair, _ in Pair(rows.firstIndex(of: pair.hromada)!, columns.firstIndex(of: pair.partner)!) },
                threshold: 0,
                columnGroups: groups.map { g in columns.map { codes.firstIndex(of: g.code(of: $0, in: instance.partners)) ?? -1 } },
                groupCapacities: codes.map { groups!.caps[$0] ?? 1_000 })
        }

        /// The dense objective of a set of pairs, and whether each is allowed.
        func objective(_ pairs: [IndexPair]) -> Double? {
            var total = 0.0
            for pair in pairs {
                guard let a = rows.firstIndex(of: pair.hromada), let b = columns.firstIndex(of: pair.partner),
                      allowed[a * columns.count + b] else { return nil }
                total += problem.values[a * columns.count + b]
            }
            return total
        }
    }

    @Test("streamed lists + sparse flow + price-out reach the dense optimum, whatever the list length",
          arguments: 0..<400)
    func sameOptimumAsDense(seed: Int) throws {
        let instance = try Self.instance(seed: UInt64(seed))
        let dense = Dense(instance)
        let groups = instance.restrictions.groups
        // The dense solver has no minimums: there, every allowed pair listed is the reference.
        let hasMinimums = !(groups?.minimums.values.allSatisfy { $0 == 0 } ?? true)
        let optimum: Double
        do {
            optimum = hasMinimums
                ? try Matcher.match(instance, options: Matcher.Options(alternatives: 0, candidatesPerHromada: 10_000)).proposals
                    .reduce(0) { $0 + dense.objective([$1.pair])! }
                : try dense.problem.solve().total
        } catch {
            // Contradictory random rules (a locked pair over a cap, minimums out of reach):
            // the matcher must refuse too, whatever the list length.
            for k in [1, 2, 256] {
                #expect(throws: MatchError.self, "seed \(seed), K \(k)") {
                    try Matcher.match(instance, options: Matcher.Options(alternatives: 0, candidatesPerHromada: k))
                }
            }
            return
        }
        // Short lists with no reserve (price-out scores rows again), a reserve of one or two
        // (some rows from the reserve, some scored), a reserve holding everything.
        for (k, reserve) in [(1, 0), (1, 2), (2, 1), (2, 384), (256, 384)] {
            let result = try Matcher.match(instance, options: Matcher.Options(alternatives: k < 256 ? 0 : 3, candidatesPerHromada: k,
                                                                             candidatesInReserve: reserve))
            let pairs = result.proposals.map(\.pair)
            let objective = try #require(dense.objective(pairs), "seed \(seed), K \(k): a proposed pair is not allowed")
            #expect(abs(objective - optimum) <= 1e-5, "seed \(seed), K \(k), reserve \(reserve): \(objective) against the reference \(optimum)")
            // Feasible: demands, slots, caps and minimums kept, locked pairs all present.
            let perHromada = Dictionary(grouping: pairs, by: \.hromada), perPartner = Dictionary(grouping: pairs, by: \.partner)
            for (i, list) in perHromada { #expect(list.count <= instance.demand[i]) }
            for (j, list) in perPartner { #expect(list.count <= instance.partners.slots[j]) }
            if let g = groups {
                let used = Dictionary(grouping: pairs, by: { g.code(of: $0.partner, in: instance.partners) })
                for (code, cap) in g.caps { #expect((used[code]?.count ?? 0) <= cap, "seed \(seed): cap of \(code)") }
                for (code, least) in g.minimums { #expect((used[code]?.count ?? 0) >= least, "seed \(seed): minimum of \(code)") }
            }
            for (pair, _) in instance.restrictions.locked { #expect(pairs.contains(pair), "seed \(seed): locked \(pair) missing") }
            #expect(Set(pairs).count == pairs.count)
        }
    }

    /// The rules the lock tests combine with a locked and an accepted pair, each with its
    /// meaning written literally over the registries' columns (not through the product's
    /// ``MatchInstance/exclusion(of:)``).
    static let literalRules: [(yaml: String, allows: @Sendable (Registry, Int, Registry, Int) -> Bool)] = [
        ("partner_countries: [PL]", { _, _, p, j in p.countries[j] == "PL" }),
        ("partner_population: [400, 50000]", { _, _, p, j in (400...50_000).contains(p.populations[j]) }),
        ("eu_members_only: true", { _, _, p, j in p.euMembers![j] }),
        ("exclude_oblasts: [R0]", { h, i, _, _ in h.regions[i] != "R0" }),
        ("exclude_status: [occupied]", { h, i, _, _ in h.statuses[i] != "occupied" }),
        ("max_distance_km: 900", { h, i, p, j in
            ScoreModel.haversineKm(lat1: h.latitudes[i], lon1: h.longitudes[i], lat2: p.latitudes[j], lon2: p.longitudes[j]) <= 900 }),
        ("levels: {village: [village], city: [settlement, city]}", { h, i, p, j in
            switch h.levels[i] {
            case .village: p.levels[j] == .village
            case .city: p.levels[j] == .settlement || p.levels[j] == .city
            default: true
            }
        }),
    ]

    @Test("a locked or an accepted pair exempts that pair only: every other pair of its partner and its hromada obeys every rule, against a dense oracle that applies the rules literally",
          arguments: 0..<(literalRules.count * 2 * 8))
    func lockExemptsItsPairOnly(_ k: Int) throws {
        let kinds = Self.literalRules.count
        let (rule, allows) = Self.literalRules[k % kinds]
        let accepted = (k / kinds) % 2 == 1, seed = UInt64(k / (2 * kinds))
        var random = SplitMix64(seed: 1_000 + seed)
        func unit() -> Double { random.nextUnit() }
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &random)] }
        let n = 7, m = 12
        var hText = "id,name,level,country,region,population,lat,lon,slots,seeking,status,need_energy\n"
        for i in 0..<n {
            hText += "UA\(i),H\(i),\(pick([Level.village, .city, .settlement]).rawValue),UA,R\(i % 3),\(Int(500 + unit() * 90_000)),"
                + "\(45 + unit() * 8),\(24 + unit() * 12),\(pick([1, 1, 2])),1,\(i == 0 ? "occupied" : pick(["occupied", "not_occupied"])),0.5\n"
        }
        var pText = "id,name,level,country,eu_member,region,population,lat,lon,slots,volunteer,offer_energy\n"
        for j in 0..<m {
            let country = j == 0 ? "PL" : pick(["PL", "DE", "NO"])
            pText += "\(country)_\(j),P\(j),\(pick([Level.village, .city, .settlement]).rawValue),\(country),\(country == "NO" ? 0 : 1),R\(j % 4),"
                + "\(Int(200 + unit() * 400_000)),\(47 + unit() * 8),\(8 + unit() * 16),\(pick([1, 2])),1,0.5\n"
        }
        let h = try Registry.parse(Data(hText.utf8), file: "hromadas.csv", side: .hromadas)
        let p = try Registry.parse(Data(pText.utf8), file: "partners.csv", side: .partners)
        // The pair locked: one the rule forbids, if the seed's registries have one.
        let forbidden = (0..<n).flatMap { i in (0..<m).map { IndexPair(i, $0) } }.filter { !allows(h, $0.hromada, p, $0.partner) }
        guard let lock = forbidden.first else { return }
        var rules = rule + "\n", ties = "ua_id,eu_id,status\n"
        if accepted {
            ties += "\(h.ids[lock.hromada]),\(p.ids[lock.partner]),accepted\n"
        } else {
            rules += "locked:\n  - [\(h.ids[lock.hromada]), \(p.ids[lock.partner])]\n"
        }
        let parsedTies = try Ties.parse(Data(ties.utf8), file: "ties.csv", hromadas: h, partners: p)
        let parsedRules = try Rules.parse(rules, file: "rules.yaml")
        let restrictions = try Restrictions(rules: parsedRules, ties: parsedTies, hromadas: h, partners: p)
        let instance = MatchInstance(hromadas: h, partners: p, ties: parsedTies, rules: parsedRules, weights: .defaults,
                                     restrictions: restrictions)
        let result = try Matcher.match(instance, alternatives: 2)
        let scores = instance.scoreModel(rows: Array(0..<n), columns: Array(0..<m)).scores(columns: 0..<m)
        // Every proposal is the locked pair or one the rule allows, read literally; so is every alternative.
        for proposal in result.proposals where proposal.pair != lock {
            #expect(allows(h, proposal.hromada, p, proposal.partner), "\(rule), accepted \(accepted): \(proposal.pair) proposed past the rule")
            for alternative in proposal.alternatives {
                #expect(allows(h, proposal.hromada, p, alternative.partner), "\(rule): alternative \(alternative.partner) of \(proposal.pair)")
            }
        }
        #expect(result.proposals.contains { $0.pair == lock }, "\(rule): the locked pair is missing")
        // The same total as the dense optimum over the literally allowed pairs plus the lock.
        let allowed = (0..<n).flatMap { i in (0..<m).map { j in IndexPair(i, j) == lock || allows(h, i, p, j) } }
        let dense = try AssignmentProblem(rows: n, columns: m, values: scores.map(Double.init), objective: .maximize, allowed: allowed,
                                          rowDemands: h.slots, columnCapacities: p.slots, locked: [Pair(lock.hromada, lock.partner)],
                                          threshold: 0).solve()
        let total = result.proposals.reduce(0.0) { $0 + Double(scores[$1.hromada * m + $1.partner]) }
        #expect(abs(total - dense.total) < 1e-5, "\(rule), accepted \(accepted): \(total) against the oracle's \(dense.total)")
        // explain: the pair is allowed (locked); every other pair of the partner follows the rule.
        #expect(instance.exclusion(of: lock) == nil)
        for i in 0..<n where i != lock.hromada {
            #expect((instance.exclusion(of: IndexPair(i, lock.partner)) == nil) == allows(h, i, p, lock.partner), "\(rule): explain on (\(i), \(lock.partner))")
        }
    }

    @Test("the compiled pair filter and the rules' reasons agree on every pair of a hromada taking part, and every rule's reason points at its key's line",
          arguments: 0..<150)
    func filterAgreesWithReasons(seed: Int) throws {
        let instance = try Self.instance(seed: UInt64(seed))
        let r = instance.restrictions
        let rows = instance.seeking.filter { r.hromadaExclusions[$0] == nil }, columns = instance.candidateColumns
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let filter = PairFilter(instance, rows: rows, columns: columns, excludingLocked: false)
        for (a, i) in rows.enumerated() {
            for (c, j) in columns.enumerated() {
                let why = instance.exclusion(of: IndexPair(i, j))
                let passes = filter.pairRulesAllow(a, c) && !filter.excluded[a].contains(Int32(c))
                #expect(passes == (why == nil), "seed \(seed): (\(i), \(j)) passes the filter \(passes), reason \(why?.reason ?? "none")")
                // Forbidden pairs name their own line (of the rules or the ties); every other
                // rule points at its key.
                if let why, why.rule != ForbiddenPairs.key, let line = instance.rules.lines[why.rule] {
                    #expect(why.source?.location?.line == line && why.reason.hasSuffix("rules.yaml, line \(line))"), "seed \(seed): \(why.reason)")
                } else if let why {
                    #expect(!Rules.keys.contains(why.rule) || why.rule == ForbiddenPairs.key, "seed \(seed): \(why.reason) from no line of the rules")
                }
            }
        }
    }

    @Test("WhyNot: a proposed pair is proposed; forcing another one in costs what the two optima differ by, never less than 0, and moves its hromada",
          arguments: 0..<40)
    func whyNot(seed: Int) throws {
        let instance = try Self.instance(seed: UInt64(seed))
        guard let optimum = try? Matcher.match(instance, alternatives: 0) else { return }
        if let proposed = optimum.proposals.first {
            guard case .proposed = try WhyNot(proposed.pair, in: instance).forced else { Issue.record("seed \(seed)"); return }
        }
        let proposed = Set(optimum.proposals.map(\.pair))
        let candidates = instance.seeking.flatMap { i in instance.candidateColumns.map { IndexPair(i, $0) } }
        guard let pair = candidates.first(where: { !proposed.contains($0) && instance.exclusion(of: $0) == nil }) else { return }
        let why = try WhyNot(pair, in: instance)
        switch why.forced {
        case .proposed: Issue.record("seed \(seed): \(pair) is not in the optimum")
        case .impossible: break
        case let .costs(from, to, changes):
            #expect(abs(from - optimum.total) < 1e-9 && why.loss >= 0 && why.loss == max(0, from - to), "seed \(seed)")
            #expect(changes.contains { $0.hromada == pair.hromada && $0.after.contains(pair.partner) }, "seed \(seed): \(changes)")
        }
    }

    @Test("the random instances exercise price-out: with one candidate per hromada it must add pairs, from the reserve or by scoring again")
    func priceOutIsExercised() throws {
        var added = 0, scored = 0, fromReserveOnly = 0
        for seed in 0..<100 {
            let instance = try Self.instance(seed: UInt64(seed))
            guard let streamed = try? Matcher.match(instance, options: Matcher.Options(alternatives: 0, candidatesPerHromada: 1, candidatesInReserve: 0)),
                  let reserved = try? Matcher.match(instance, options: Matcher.Options(alternatives: 0, candidatesPerHromada: 1))
            else { continue }
            if streamed.timings.pairsAdded > 0 { added += 1 }
            if streamed.timings.pricingRowsScored > 0 { scored += 1 }
            // A reserve of 384 holds every pair of these instances: nothing is scored again.
            #expect(reserved.timings.pricingRowsScored == 0, "seed \(seed)")
            if reserved.timings.pairsAdded > 0 { fromReserveOnly += 1 }
        }
        #expect(added >= 10, "price-out added pairs in only \(added) of 100 instances")
        #expect(scored >= 10 && fromReserveOnly >= 10, "scored again in \(scored), from the reserve in \(fromReserveOnly) of 100 instances")
    }

    @Test("the reserve changes nothing but the work: the same proposals, alternatives and loss bounds with or without it",
          arguments: 0..<60)
    func reserveChangesNothing(seed: Int) throws {
        let instance = try Self.instance(seed: UInt64(seed))
        func run(_ reserve: Int) -> [String]? {
            (try? Matcher.match(instance, options: Matcher.Options(alternatives: 2, candidatesPerHromada: 1, candidatesInReserve: reserve)))?
                .proposals.map { p in
                    "\(p.pair) " + p.alternatives.map { "\($0.partner):\($0.score):\($0.lossAtLeast)" }.joined(separator: ",")
                }
        }
        let reference = run(0)
        for reserve in [1, 3, 384] { #expect(run(reserve) == reference, "seed \(seed), reserve \(reserve)") }
    }
}
