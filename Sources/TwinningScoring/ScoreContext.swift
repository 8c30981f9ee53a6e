import Foundation
import TwinningShared
import TwinningInput

/// What a score needs beyond the two rows it compares: where each partner stands in its
/// region (``ScoreComponent/centre``) and the known partnerships that ``ScoreComponent/ties``
/// and the priors learn from. Built from the whole registries, so that a model of some
/// hromadas against some partners (the candidates of a matching, the held-out hromadas of
/// a fold) still sees every LAU of a region and every known tie.
///
/// **A hromada's own ties never count for its own scores.** Its `ties` and priors are what
/// the *other* hromadas' partnerships say. So a true pair being evaluated cannot vouch for
/// itself, and a model fitted on training hromadas sees, for each of them, what a hromada
/// without partners sees.
///
/// The priors, for a hromada of oblast `o` and a partner of country `c` and NUTS 2 region
/// `r` (counts over the known ties, the hromada's own taken away; `α` the
/// ``ScoreParameter/priorStrength``; `C` the countries and `R_c` the regions of `c` among
/// the partners):
/// - `g_c = (n_c + 1) / (N + C)`: all oblasts' share of country `c`, add-one smoothed;
/// - `p(c | o) = (n_oc + α·g_c) / (n_o + α)`;
/// - `s_r = (n_r + 1) / (n_c + R_c)`: region `r`'s share of its country's ties;
/// - `p(r | o) = (n_or + α·p(c | o)·s_r) / (n_o + α)`;
/// - the components: `1 + log10 p(c | o) / 4` and `1 + log10 p(r | o) / 6`, floored at 0
///   (a log-probability, so that a weighted sum of components is a log-linear model).
///
/// The model's log priors go one level further down, to the NUTS 3 area `a` (`A_r` the
/// areas of region `r`), and are not floored where it matters (nine decades):
/// - `s_a = (n_a + 1) / (n_r + A_r)`: area `a`'s share of its region's ties;
/// - `p(a | o) = (n_oa + α·p(r | o)·s_a) / (n_o + α)`;
/// - the components: `1 + log10 p / 9` of `p(c | o)`, `p(r | o)` and `p(a | o)`.
public struct ScoreContext: Sendable {
    /// The known partnerships, by index in the registries given.
    public let ties: [IndexPair]
    public let priorStrength: Double
    /// Per partner: ``ScoreComponent/centre``. Per hromada: whether it is the most
    /// populous of its oblast.
    let centre: [Float]
    let oblastCentre: [Bool]
    /// Per partner: its country and NUTS 2 region as codes; per hromada: its oblast.
    let country: [Int32], region: [Int32], oblast: [Int32]
    let countries: Int, regions: Int, oblasts: Int
    /// Per partner: its NUTS 3 area (within its country and NUTS 2 region) as a code.
    let area: [Int32]
    let areas: Int
    /// The country of each region code; the region of each area code.
    let countryOfRegion: [Int32], regionOfArea: [Int32]
    /// Tie counts by oblast × area and by area; areas per region.
    let byOblastArea: [Int32], byArea: [Int32], areasOfRegion: [Int32]
    /// Tie counts: by oblast × country, oblast × region, oblast, country, region.
    let byOblastCountry: [Int32], byOblastRegion: [Int32], byOblast: [Int32], byCountry: [Int32], byRegion: [Int32]
    /// Regions per country.
    let regionsOfCountry: [Int32]
    /// Each hromada's own ties (partner indices), for those that have some.
    let own: [Int: [Int]]
    /// Per hromada: the fit a pair without one is scored with, made of every partner whose
    /// offers count (see ``Breakdown/typicalFit``); nil when no pair has a fit.
    public let typicalFit: [Float]?

    /// - Parameters:
    ///   - hromadas: the hromadas the priors are made for.
    ///   - partners: the partners, whose countries and regions the priors count.
    ///   - ties: known partnerships, indices into `hromadas` and `partners`.
    ///   - priorStrength: `α`, pseudo-ties pulling an oblast's priors towards all oblasts'.
    public init(hromadas: Registry, partners: Registry, ties: [IndexPair] = [],
                priorStrength: Double = ScoreParameter.priorStrength.defaultValue) {
        self.ties = ties
        self.priorStrength = priorStrength
        let (country, countryNames) = Self.codes(partners.countries)
        let (region, regionNames) = Self.codes(zip(partners.countries, partners.nuts2).map(RegionKey.init))
        let (oblast, oblastNames) = Self.codes(hromadas.regions)
        self.country = country
        self.region = region
        self.oblast = oblast
        countries = countryNames.count
        regions = regionNames.count
        oblasts = oblastNames.count
        (countryOfRegion, regionsOfCountry) = Self.nesting(region, regions, in: country, countries)
        let (area, areaNames) = Self.codes((0..<partners.count).map {
            RegionKey(country: partners.countries[$0], code: partners.nuts2[$0] + "/" + partners.regions[$0])
        })
        self.area = area
        areas = areaNames.count
        (regionOfArea, areasOfRegion) = Self.nesting(area, areas, in: region, regions)
        centre = Self.centres(partners, nuts2: (region, regionNames.count))
        var largest: [String: Int] = [:]
        for h in 0..<hromadas.count where largest[hromadas.regions[h]].map({ hromadas.populations[$0] < hromadas.populations[h] }) ?? true {
            largest[hromadas.regions[h]] = h
        }
        let centres = Set(largest.values)
        oblastCentre = (0..<hromadas.count).map(centres.contains)

        var oc = [Int32](repeating: 0, count: oblasts * countries), or = [Int32](repeating: 0, count: oblasts * regions)
        var o = [Int32](repeating: 0, count: oblasts), c = [Int32](repeating: 0, count: countries), r = [Int32](repeating: 0, count: regions)
        var oa = [Int32](repeating: 0, count: oblasts * areas), ar = [Int32](repeating: 0, count: areas)
        var own: [Int: [Int]] = [:]
        for t in ties {
            let a = Int(oblast[t.hromada]), b = Int(country[t.partner]), g = Int(region[t.partner]), x = Int(area[t.partner])
            oc[a * countries + b] += 1; or[a * regions + g] += 1; o[a] += 1; c[b] += 1; r[g] += 1
            oa[a * areas + x] += 1; ar[x] += 1
            own[t.hromada, default: []].append(t.partner)
        }
        byOblastCountry = oc; byOblastRegion = or; byOblast = o; byCountry = c; byRegion = r
        byOblastArea = oa; byArea = ar
        self.own = own
        typicalFit = ScoreModel.typicalFits(hromadas: hromadas, partners: partners)
    }

    /// 1 for the most populous partner of its NUTS 2 region, ½ for that of its NUTS 3
    /// region (the `region` column), 0 otherwise; ties to the lower index. Partners
    /// without a region code are no region's centre.
    /// `nuts2`: each partner's code of its country and NUTS 2 region, and how many there
    /// are (``codes(_:)``, already made for the priors).
    static func centres(_ partners: Registry, nuts2: (codes: [Int32], count: Int)) -> [Float] {
        func largest(_ key: [String], _ code: [Int32], _ count: Int) -> [Bool] {
            var best = [Int](repeating: -1, count: count)
            for j in 0..<partners.count where !key[j].isEmpty {
                let b = best[Int(code[j])]
                if b < 0 || partners.populations[b] < partners.populations[j] { best[Int(code[j])] = j }
            }
            var isLargest = [Bool](repeating: false, count: partners.count)
            for j in best where j >= 0 { isLargest[j] = true }
            return isLargest
        }
        let nuts3 = codes(zip(partners.countries, partners.regions).map(RegionKey.init))
        let inNUTS2 = largest(partners.nuts2, nuts2.codes, nuts2.count)
        let inNUTS3 = largest(partners.regions, nuts3.codes, nuts3.distinct.count)
        return (0..<partners.count).map { inNUTS2[$0] ? 1 : inNUTS3[$0] ? 0.5 : 0 }
    }

    /// How `child` codes nest in `parent` codes (each partner has one of each): the parent
    /// of each child code, and how many child codes each parent has.
    static func nesting(_ child: [Int32], _ children: Int, in parent: [Int32], _ parents: Int) -> (parentOf: [Int32], childrenOf: [Int32]) {
        var parentOf = [Int32](repeating: 0, count: children), childrenOf = [Int32](repeating: 0, count: parents)
        var seen = [Bool](repeating: false, count: children)
        for j in child.indices where !seen[Int(child[j])] {
            seen[Int(child[j])] = true
            parentOf[Int(child[j])] = parent[j]
            childrenOf[Int(parent[j])] += 1
        }
        return (parentOf, childrenOf)
    }

    /// A region code within its country (codes are only unique per country in user files).
    struct RegionKey: Hashable, Comparable {
        let country: String, code: String
        static func < (a: RegionKey, b: RegionKey) -> Bool { (a.country, a.code) < (b.country, b.code) }
    }

    /// Each value's code, its rank among the distinct values sorted, and those values.
    /// Registries come grouped by country and region, so a value equal to the one before
    /// reuses its code without a look-up (98,000 partners, a few hundred regions).
    static func codes<Key: Hashable & Comparable>(_ values: [Key]) -> (codes: [Int32], distinct: [Key]) {
        var firstSeen: [Key: Int32] = [:], seen: [Key] = []
        var codes = [Int32](), previous: (key: Key, code: Int32)?
        codes.reserveCapacity(values.count)
        for value in values {
            if let p = previous, p.key == value { codes.append(p.code); continue }
            let code = firstSeen[value] ?? {
                seen.append(value)
                firstSeen[value] = Int32(seen.count - 1)
                return Int32(seen.count - 1)
            }()
            previous = (value, code)
            codes.append(code)
        }
        let order = seen.indices.sorted { seen[$0] < seen[$1] }
        var rank = [Int32](repeating: 0, count: seen.count)
        for (r, k) in order.enumerated() { rank[k] = Int32(r) }
        return (codes.map { rank[Int($0)] }, order.map { seen[$0] })
    }

    /// The prior components of one hromada: a value per country, region or area code.
    struct Priors {
        /// ``ScoreComponent/countryPrior`` and ``ScoreComponent/regionPrior`` (floored).
        var country: [Float], region: [Float]
        /// ``ScoreComponent/countryLogPrior``, ``ScoreComponent/regionLogPrior`` and
        /// ``ScoreComponent/areaLogPrior``.
        var countryLog: [Float], regionLog: [Float], areaLog: [Float]

        static let empty = Priors(country: [], region: [], countryLog: [], regionLog: [], areaLog: [])
        mutating func append(_ p: Priors) {
            country += p.country; region += p.region; countryLog += p.countryLog; regionLog += p.regionLog; areaLog += p.areaLog
        }
    }

    /// The prior components of each of `hromadas`, row after row. Hromadas of one oblast
    /// without ties of their own have the same priors, so those are computed once per oblast.
    func priors(hromadas: [Int]) -> Priors {
        var out = Priors.empty
        var shared = [Priors?](repeating: nil, count: oblasts)
        for h in hromadas {
            let p: Priors
            if own[h] != nil {
                p = priors(hromada: h)
            } else if let known = shared[Int(oblast[h])] {
                p = known
            } else {
                p = priors(hromada: h)
                shared[Int(oblast[h])] = p
            }
            out.append(p)
        }
        return out
    }

    /// `1 + log10 p / 9`: the log priors' scale.
    static func logPrior(_ p: Double) -> Float { Float(max(0, 1 + log10(p) / 9)) }

    /// The prior components of hromada `h` for every country, region and area code, its
    /// own ties left out.
    func priors(hromada h: Int) -> Priors {
        let a = Int(oblast[h]), alpha = priorStrength
        var oc = (0..<countries).map { Double(byOblastCountry[a * countries + $0]) }
        var or = (0..<regions).map { Double(byOblastRegion[a * regions + $0]) }
        var oa = (0..<areas).map { Double(byOblastArea[a * areas + $0]) }
        var c = byCountry.map(Double.init), r = byRegion.map(Double.init), x = byArea.map(Double.init)
        var no = Double(byOblast[a]), n = Double(ties.count)
        for j in own[h] ?? [] {
            let b = Int(country[j]), g = Int(region[j]), e = Int(area[j])
            oc[b] -= 1; or[g] -= 1; oa[e] -= 1; c[b] -= 1; r[g] -= 1; x[e] -= 1; no -= 1; n -= 1
        }
        let pc = (0..<countries).map { b in (oc[b] + alpha * (c[b] + 1) / (n + Double(countries))) / (no + alpha) }
        let pr = (0..<regions).map { g -> Double in
            let b = Int(countryOfRegion[g])
            return (or[g] + alpha * pc[b] * (r[g] + 1) / (c[b] + Double(regionsOfCountry[b]))) / (no + alpha)
        }
        let pa = (0..<areas).map { e -> Double in
            let g = Int(regionOfArea[e])
            return (oa[e] + alpha * pr[g] * (x[e] + 1) / (r[g] + Double(areasOfRegion[g]))) / (no + alpha)
        }
        return Priors(country: pc.map { Float(max(0, 1 + log10($0) / 4)) }, region: pr.map { Float(max(0, 1 + log10($0) / 6)) },
                      countryLog: pc.map(Self.logPrior), regionLog: pr.map(Self.logPrior), areaLog: pa.map(Self.logPrior))
    }
}
