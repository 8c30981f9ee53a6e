import Foundation
import LinearAlgebra
import TwinningShared

/// The sectors in which hromadas state needs and partners offer help: the union of the
/// categories that reconstruction-partnership programmes use.
public enum Sector: String, CaseIterable, Sendable {
    case energy, water, waste, housing, transport, health, education, social, culture, economy, agriculture,
         governance, digital, planning, environment, civilProtection = "civil_protection", participation
}

/// Administrative level of a municipality or region.
public enum Level: String, Sendable, CaseIterable, Codable {
    case village, settlement, city, region

    /// Length of the name in UTF-8 bytes.
    var utf8: Int { rawValue.utf8.count }

    /// The level's place in `allCases`, for tables indexed by level.
    public var ordinal: Int {
        switch self {
        case .village: 0
        case .settlement: 1
        case .city: 2
        case .region: 3
        }
    }
}

/// Which side a registry file describes.
public enum Side: String, Sendable {
    case hromadas, partners
    /// The prefix of the sector columns on this side.
    public var sectorPrefix: String { self == .hromadas ? "need_" : "offer_" }
    var other: Side { self == .hromadas ? .partners : .hromadas }
    /// One row, in messages.
    var noun: String { self == .hromadas ? "hromada" : "partner" }
}

/// The named columns a hromadas or partners file may have, besides the families
/// `need_<sector>`, `offer_<sector>` and `profile_<name>`. Other columns are carried in
/// the file for people (sources, notes) and ignored.
public enum RegistryColumn: String, CaseIterable, Sendable {
    case id, name, level, country, population, lat, lon
    case nameEN = "name_en", region, nuts2, slots, volunteer, euMember = "eu_member", seeking, status
    case offersSynthetic = "offers_synthetic"

    public var isRequired: Bool {
        switch self {
        case .id, .name, .level, .country, .population, .lat, .lon: return true
        default: return false
        }
    }

    public static let required = allCases.filter(\.isRequired)
}

/// One side's rows, column by column (the layout scoring wants).
public struct Registry: Sendable {
    public let side: Side
    /// The path the registry was read from, as given.
    public let file: String
    public let ids: [String]
    /// Names in their own script (Ukrainian, Greek, Bulgarian, …).
    public let names: [String]
    /// Names in Latin letters (`name_en`, or `name` where it is missing).
    public let latinNames: [String]
    public let levels: [Level]
    public let countries: [String]
    /// Oblast for hromadas; NUTS 3 region for partners.
    public let regions: [String]
    /// NUTS 2 region of partners (empty when not given).
    public let nuts2: [String]
    public let populations: [Double]
    public let latitudes: [Double]
    public let longitudes: [Double]
    public let slots: [Int]
    /// Sectors of the sector columns, in file order.
    public let sectors: [Sector]
    /// `count × sectors.count`: needs (hromadas) or offers (partners), each in [0, 1].
    public let sectorValues: Matrix
    /// Names of the `profile_` columns, without prefix.
    public let profiles: [String]
    public let profileValues: Matrix
    /// `volunteer` column when present (partners): rows that signed up; all rows otherwise.
    public let volunteers: [Bool]
    /// `eu_member` column when present.
    public let euMembers: [Bool]?
    /// `seeking` column of hromadas: `true` signed up for partners, `false` not; nil where
    /// the column is absent or the cell empty (then: seeking when it has no partner yet).
    public let seeking: [Bool?]
    /// `status` column (hromadas: occupation status in 2022, such as `occupied`); empty
    /// where absent.
    public let statuses: [String]
    /// Line (CSV) or record number (JSON) of each row, for messages.
    public let lines: [Int]
    /// Contact details a sign-ups overlay carried for some rows (its kept columns, as
    /// `heading: value; …`): personal data, written to outputs only when asked for.
    public let contacts: [Int: String]
    /// Partners: whether the row's offers are invented (`offers_synthetic` = 1, as every
    /// volunteer of the shipped registry): such offers never count in a score. A sign-ups
    /// overlay clears it for the rows it names. Always false for hromadas.
    public let syntheticOffers: [Bool]
    /// Row of each id (made once, when the registry is read).
    private let idIndex: [String: Int]

    public var count: Int { ids.count }

    /// Row index of each id.
    public func index() -> [String: Int] { idIndex }

    static func index(_ ids: [String]) -> [String: Int] {
        Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `ID (Latin name)`, as messages name a row.
    public func label(_ i: Int) -> String { "\(ids[i]) (\(latinNames[i]))" }

    /// The name in its own script and, when it differs, in Latin letters: `Агрономічна ·
    /// Ahronomichna`, `Kunów`.
    public func bothNames(_ i: Int) -> String {
        names[i] == latinNames[i] ? names[i] : "\(names[i]) · \(latinNames[i])"
    }

    /// `ID (name · Latin name)`, as coordinators read a row (decisions, diffs, logs).
    public func labelInBothScripts(_ i: Int) -> String { "\(ids[i]) (\(bothNames(i)))" }

    /// A registry built in code (tests, benchmarks, other front ends): every row a
    /// `city` in `country`, all volunteers, one slot, no profiles.
    public init(side: Side, ids: [String], country: String, populations: [Double], latitudes: [Double],
                longitudes: [Double], sectors: [Sector], sectorValues: Matrix, regions: [String]? = nil) {
        let n = ids.count
        self.init(side: side, file: "(in memory)", ids: ids, names: ids, latinNames: ids,
                  levels: Array(repeating: .city, count: n), countries: Array(repeating: country, count: n),
                  regions: regions ?? Array(repeating: "", count: n), nuts2: Array(repeating: "", count: n),
                  populations: populations, latitudes: latitudes, longitudes: longitudes,
                  slots: Array(repeating: 1, count: n), sectors: sectors, sectorValues: sectorValues, profiles: [],
                  profileValues: Matrix(rows: n, columns: 0), volunteers: Array(repeating: true, count: n),
                  euMembers: nil, seeking: Array(repeating: nil, count: n), statuses: Array(repeating: "", count: n),
                  lines: (0..<n).map { $0 + 2 })
    }

    init(side: Side, file: String, ids: [String], names: [String], latinNames: [String], levels: [Level],
         countries: [String], regions: [String], nuts2: [String], populations: [Double], latitudes: [Double],
         longitudes: [Double], slots: [Int], sectors: [Sector], sectorValues: Matrix, profiles: [String],
         profileValues: Matrix, volunteers: [Bool], euMembers: [Bool]?, seeking: [Bool?], statuses: [String],
         lines: [Int], index: [String: Int]? = nil, contacts: [Int: String] = [:], syntheticOffers: [Bool]? = nil) {
        self.side = side; self.file = file; self.ids = ids; self.names = names; self.latinNames = latinNames
        self.levels = levels; self.countries = countries; self.regions = regions; self.nuts2 = nuts2
        self.populations = populations; self.latitudes = latitudes; self.longitudes = longitudes; self.slots = slots
        self.sectors = sectors; self.sectorValues = sectorValues; self.profiles = profiles
        self.profileValues = profileValues; self.volunteers = volunteers; self.euMembers = euMembers; self.lines = lines
        self.seeking = seeking; self.statuses = statuses
        self.contacts = contacts
        self.syntheticOffers = syntheticOffers ?? Array(repeating: false, count: ids.count)
        idIndex = index ?? Self.index(ids)
    }

    /// The registry restricted to `rows`, in that order.
    public func subset(_ rows: [Int]) -> Registry {
        func pick<T>(_ a: [T]) -> [T] { rows.map { a[$0] } }
        func pick(_ m: Matrix) -> Matrix {
            Matrix(rows: rows.count, columns: m.columns, storage: rows.flatMap { r in (0..<m.columns).map { m[r, $0] } })
        }
        return Registry(side: side, file: file, ids: pick(ids), names: pick(names), latinNames: pick(latinNames),
                        levels: pick(levels), countries: pick(countries), regions: pick(regions), nuts2: pick(nuts2),
                        populations: pick(populations), latitudes: pick(latitudes), longitudes: pick(longitudes),
                        slots: pick(slots), sectors: sectors, sectorValues: pick(sectorValues), profiles: profiles,
                        profileValues: pick(profileValues), volunteers: pick(volunteers), euMembers: euMembers.map(pick),
                        seeking: pick(seeking), statuses: pick(statuses), lines: pick(lines),
                        contacts: Dictionary(uniqueKeysWithValues: rows.enumerated().compactMap { k, i in contacts[i].map { (k, $0) } }),
                        syntheticOffers: pick(syntheticOffers))
    }
}
