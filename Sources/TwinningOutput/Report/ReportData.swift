import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring

/// `proposals.json` as the report reads it, and the compact form the page is given.
///
/// The file writes every field of every proposal and alternative with its names in both
/// scripts: 56 MB at 15,072 proposals (every hromada wanting twelve partners), which a
/// browser parses for seconds. The page is given the same values in columns instead:
/// each place once (hromadas and partners in two tables), each repeated text once (a
/// table of strings: regions, countries, statuses, notes, reasons), a proposal as indices
/// and numbers, and only the components that weigh something (the card shows no other).
/// Numbers are carried as read, so the page shows exactly what the file holds; the
/// report's tests compare every card with the file.
struct ReportSource: Decodable {
    /// What the page reads of each proposal: present, and in range.
    struct Row: Decodable {
        let hromadaID: String, hromadaName: String, hromadaNameLatin: String, hromadaRegion: String
        let hromadaLat: Double, hromadaLon: Double, hromadaPopulation: Double
        let partnerID: String, partnerName: String, partnerNameLatin: String, partnerCountry: String, partnerRegion: String
        let partnerLat: Double, partnerLon: Double, partnerPopulation: Double, partnerVolunteer: Int
        let score: Double, likelihood: Double?, fit: Double?, fitNote: String, distanceKm: Double
        let status: String, lockedBy: String?
        let reasons: [String]
        let topSectors: [Sector]?
        /// Every component's value, by name (`ScoreComponent`'s raw values).
        let components: [String: Double]

        struct Sector: Decodable { let sector: String, need: Double, offer: Double }

        enum CodingKeys: String, CodingKey {
            case hromadaID = "hromada_id", hromadaName = "hromada_name", hromadaNameLatin = "hromada_name_latin"
            case hromadaRegion = "hromada_region", hromadaLat = "hromada_lat", hromadaLon = "hromada_lon"
            case hromadaPopulation = "hromada_population"
            case partnerID = "partner_id", partnerName = "partner_name", partnerNameLatin = "partner_name_latin"
            case partnerCountry = "partner_country", partnerRegion = "partner_region", partnerLat = "partner_lat"
            case partnerLon = "partner_lon", partnerPopulation = "partner_population", partnerVolunteer = "partner_volunteer"
            case score, likelihood, fit, fitNote = "fit_note", distanceKm = "distance_km", status, lockedBy = "locked_by"
            case reasons, topSectors = "top_sectors"
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            hromadaID = try c.decode(String.self, forKey: .hromadaID)
            hromadaName = try c.decode(String.self, forKey: .hromadaName)
            hromadaNameLatin = try c.decode(String.self, forKey: .hromadaNameLatin)
            hromadaRegion = try c.decode(String.self, forKey: .hromadaRegion)
            hromadaLat = try c.decode(Double.self, forKey: .hromadaLat)
            hromadaLon = try c.decode(Double.self, forKey: .hromadaLon)
            hromadaPopulation = try c.decode(Double.self, forKey: .hromadaPopulation)
            partnerID = try c.decode(String.self, forKey: .partnerID)
            partnerName = try c.decode(String.self, forKey: .partnerName)
            partnerNameLatin = try c.decode(String.self, forKey: .partnerNameLatin)
            partnerCountry = try c.decode(String.self, forKey: .partnerCountry)
            partnerRegion = try c.decode(String.self, forKey: .partnerRegion)
            partnerLat = try c.decode(Double.self, forKey: .partnerLat)
            partnerLon = try c.decode(Double.self, forKey: .partnerLon)
            partnerPopulation = try c.decode(Double.self, forKey: .partnerPopulation)
            partnerVolunteer = try c.decode(Int.self, forKey: .partnerVolunteer)
            score = try c.decode(Double.self, forKey: .score)
            likelihood = try c.decodeIfPresent(Double.self, forKey: .likelihood)
            fit = try c.decodeIfPresent(Double.self, forKey: .fit)
            fitNote = try c.decode(String.self, forKey: .fitNote)
            distanceKm = try c.decode(Double.self, forKey: .distanceKm)
            status = try c.decode(String.self, forKey: .status)
            lockedBy = try c.decodeIfPresent(String.self, forKey: .lockedBy)
            reasons = try c.decode([String].self, forKey: .reasons)
            topSectors = try c.decodeIfPresent([Sector].self, forKey: .topSectors)
            let all = try decoder.container(keyedBy: NamedKey.self)
            var components: [String: Double] = [:]
            for component in ScoreComponent.allCases {
                let key = NamedKey(component.rawValue)
                if let value = try all.decodeIfPresent(Double.self, forKey: key) { components[component.rawValue] = value }
            }
            self.components = components
        }

        /// The first value out of range, as `key value`.
        var outOfRange: String? {
            let checks: [(String, Double, ClosedRange<Double>)] = [
                ("score", score, 0...1), ("hromada_lat", hromadaLat, -90...90), ("partner_lat", partnerLat, -90...90),
                ("hromada_lon", hromadaLon, -180...180), ("partner_lon", partnerLon, -180...180),
                // Any finite population, as `match` takes (a registry may hold 1e19).
                ("hromada_population", hromadaPopulation, 0...Double.greatestFiniteMagnitude),
                ("partner_population", partnerPopulation, 0...Double.greatestFiniteMagnitude),
                ("distance_km", distanceKm, 0...21_000),
            ]
            return checks.first { !$0.2.contains($0.1) }.map { "\($0.0) \($0.1), outside \($0.2.lowerBound)–\($0.2.upperBound)" }
        }
    }

    /// One alternative partner of a proposal's hromada.
    struct Alternative: Decodable {
        let hromadaID: String, partnerID: String, partnerName: String, partnerNameLatin: String, partnerCountry: String
        let score: Double, lossAtLeast: Double, heldByNameLatin: String
        enum CodingKeys: String, CodingKey {
            case hromadaID = "hromada_id", partnerID = "partner_id", partnerName = "partner_name"
            case partnerNameLatin = "partner_name_latin", partnerCountry = "partner_country", score
            case lossAtLeast = "loss_at_least", heldByNameLatin = "held_by_name_latin"
        }
    }

    struct Input: Decodable { let path: String }

    let schemaVersion: Int
    let inputs: [String: Input]
    let proposals: [Row]
    let alternatives: [Alternative]
    /// Every other key of the file (summary, warnings, unmatched, rules, inputs, …), as it is.
    let rest: [String: RecordedValue]

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", inputs, proposals, alternatives }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        inputs = try c.decode([String: Input].self, forKey: .inputs)
        proposals = try c.decode([Row].self, forKey: .proposals)
        alternatives = try c.decodeIfPresent([Alternative].self, forKey: .alternatives) ?? []
        let all = try decoder.container(keyedBy: NamedKey.self)
        var rest: [String: RecordedValue] = [:]
        for key in all.allKeys where key.stringValue != "proposals" && key.stringValue != "alternatives" {
            rest[key.stringValue] = try all.decode(RecordedValue.self, forKey: key)
        }
        self.rest = rest
    }
}

/// The page's data island: ``ReportSource`` in columns (see there why).
struct ReportData: Encodable {
    /// Texts written once and named by their index.
    struct Strings {
        var list: [String] = []
        var index: [String: Int] = [:]

        /// The index of `text`, added on first use.
        mutating func callAsFunction(_ text: String) -> Int {
            if let k = index[text] { return k }
            index[text] = list.count
            list.append(text)
            return list.count - 1
        }
    }

    /// Places of one side, a column per field, each place once.
    struct Places: Encodable {
        var id: [String] = [], name: [String] = [], latin: [String] = [], region: [Int] = [], country: [Int] = []
        var population: [Double] = [], lat: [Double?] = [], lon: [Double?] = [], volunteer: [Int?] = []
        var index: [String: Int] = [:]
        enum CodingKeys: String, CodingKey { case id, name, latin, region, country, population, lat, lon, volunteer }

        /// The index of place `id`, added on first use (a place's first mention, a
        /// proposal's before an alternative's, gives its fields).
        mutating func add(_ id: String, _ name: String, _ latin: String, _ region: String, _ country: String, _ population: Double,
                          _ lat: Double?, _ lon: Double?, _ volunteer: Int?, _ strings: inout Strings) -> Int {
            if let k = index[id] { return k }
            index[id] = self.id.count
            self.id.append(id); self.name.append(name); self.latin.append(latin); self.region.append(strings(region))
            self.country.append(strings(country)); self.population.append(population); self.lat.append(lat); self.lon.append(lon)
            self.volunteer.append(volunteer)
            return self.id.count - 1
        }
    }

    struct Proposals: Encodable {
        var hromada: [Int] = [], partner: [Int] = [], score: [Double] = [], likelihood: [Double?] = [], fit: [Double?] = []
        var fitNote: [Int] = [], distanceKm: [Double] = [], status: [Int] = [], lockedBy: [Int?] = []
        var reasons: [[Int]] = []
        /// `[sector, need, offer]` for each of a proposal's top sectors (the sector a string index).
        var topSectors: [[[Double]]] = []
        /// The values of each component that weighs something, by name (null where the
        /// file has none).
        var components: [String: [Double?]] = [:]
        enum CodingKeys: String, CodingKey {
            case hromada, partner, score, likelihood, fit, fitNote = "fit_note", distanceKm = "distance_km", status
            case lockedBy = "locked_by", reasons, topSectors = "top_sectors", components
        }
    }

    /// Each hromada's alternatives, in the file's order (a hromada's are together, best first).
    struct Alternatives: Encodable {
        var hromada: [Int] = [], partner: [Int] = [], score: [Double] = [], lossAtLeast: [Double] = [], heldBy: [Int] = []
        enum CodingKeys: String, CodingKey { case hromada, partner, score, lossAtLeast = "loss_at_least", heldBy = "held_by" }
    }

    let strings: [String]
    let hromadas: Places, partners: Places
    let proposals: Proposals
    let alternatives: Alternatives
    /// The file's other keys, as they are.
    let rest: [String: RecordedValue]

    init(_ source: ReportSource) {
        rest = source.rest
        // The components that weigh something (the card shows no other).
        var weighted = Set<String>()
        if case let .map(weights)? = source.rest["weights"] {
            for (name, weight) in weights where ScoreComponent(rawValue: name) != nil && weight != .number(0) && weight != .integer(0) { weighted.insert(name) }
        }
        var strings = Strings(), hromadas = Places(), partners = Places(), proposals = Proposals(), alternatives = Alternatives()
        for row in source.proposals {
            let h = hromadas.add(row.hromadaID, row.hromadaName, row.hromadaNameLatin, row.hromadaRegion, "UA",
                                 row.hromadaPopulation, row.hromadaLat, row.hromadaLon, nil, &strings)
            let p = partners.add(row.partnerID, row.partnerName, row.partnerNameLatin, row.partnerRegion, row.partnerCountry,
                                 row.partnerPopulation, row.partnerLat, row.partnerLon, row.partnerVolunteer, &strings)
            proposals.hromada.append(h); proposals.partner.append(p)
            proposals.score.append(row.score); proposals.likelihood.append(row.likelihood); proposals.fit.append(row.fit)
            proposals.fitNote.append(strings(row.fitNote)); proposals.distanceKm.append(row.distanceKm)
            proposals.status.append(strings(row.status)); proposals.lockedBy.append(row.lockedBy.map { strings($0) })
            proposals.reasons.append(row.reasons.map { strings($0) })
            proposals.topSectors.append((row.topSectors ?? []).map { [Double(strings($0.sector)), $0.need, $0.offer] })
            for name in weighted { proposals.components[name, default: []].append(row.components[name]) }
        }
        for a in source.alternatives {
            // Alternatives are of proposals' hromadas; a partner known only here has no
            // place on the map.
            guard let h = hromadas.index[a.hromadaID] else { continue }
            alternatives.hromada.append(h)
            alternatives.partner.append(partners.add(a.partnerID, a.partnerName, a.partnerNameLatin, "", a.partnerCountry, 0, nil, nil, nil,
                                                     &strings))
            alternatives.score.append(a.score); alternatives.lossAtLeast.append(a.lossAtLeast)
            alternatives.heldBy.append(strings(a.heldByNameLatin))
        }
        self.strings = strings.list
        self.hromadas = hromadas; self.partners = partners; self.proposals = proposals; self.alternatives = alternatives
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: NamedKey.self)
        for (key, value) in rest { try c.encode(value, forKey: NamedKey(key)) }
        try c.encode(strings, forKey: NamedKey("strings"))
        try c.encode(hromadas, forKey: NamedKey("hromadas"))
        try c.encode(partners, forKey: NamedKey("partners"))
        try c.encode(proposals, forKey: NamedKey("proposals"))
        try c.encode(alternatives, forKey: NamedKey("alternatives"))
    }
}
