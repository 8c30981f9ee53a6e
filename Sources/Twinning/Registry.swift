import Foundation
import LinearAlgebra

/// The sector taxonomy of SPEC §2 (union of the programmes' categories).
public let knownSectors = [
    "energy", "water", "waste", "housing", "transport", "health", "education", "social", "culture",
    "economy", "agriculture", "governance", "digital", "planning", "environment", "civil_protection",
    "participation",
]

/// Administrative level of a municipality or region.
public enum Level: String, Sendable, CaseIterable {
    case village, settlement, city, region
}

/// Which side a registry file describes.
public enum Side: String, Sendable {
    case hromadas, partners
    /// The prefix of the sector columns on this side.
    var sectorPrefix: String { self == .hromadas ? "need_" : "offer_" }
}

/// One side's rows, column by column (the layout scoring wants).
public struct Registry: Sendable {
    public let side: Side
    public let file: String
    public let ids: [String]
    public let names: [String]
    public let latinNames: [String]
    public let levels: [Level]
    public let countries: [String]
    public let regions: [String]
    public let populations: [Double]
    public let latitudes: [Double]
    public let longitudes: [Double]
    public let slots: [Int]
    /// Names of the sector columns, in file order, without prefix.
    public let sectors: [String]
    /// `count × sectors.count`: needs (hromadas) or offers (partners), each in [0, 1].
    public let sectorValues: Matrix
    /// Names of the `profile_` columns, without prefix.
    public let profiles: [String]
    public let profileValues: Matrix
    /// `volunteer` column when present (partners): rows that signed up; all rows otherwise.
    public let volunteers: [Bool]
    /// `eu_member` column when present.
    public let euMembers: [Bool]?
    /// Line of each row in its file, for messages.
    public let lines: [Int]

    public var count: Int { ids.count }

    /// A registry built in code (tests, benchmarks, other front ends): every row a
    /// `city` in `country`, all volunteers, one slot, no profiles.
    public init(side: Side, ids: [String], country: String, populations: [Double], latitudes: [Double],
                longitudes: [Double], sectors: [String], sectorValues: Matrix, regions: [String]? = nil) {
        let n = ids.count
        self.init(side: side, file: "(in memory)", ids: ids, names: ids, latinNames: ids,
                  levels: Array(repeating: .city, count: n), countries: Array(repeating: country, count: n),
                  regions: regions ?? Array(repeating: "", count: n), populations: populations,
                  latitudes: latitudes, longitudes: longitudes, slots: Array(repeating: 1, count: n),
                  sectors: sectors, sectorValues: sectorValues, profiles: [], profileValues: Matrix(rows: n, columns: 0),
                  volunteers: Array(repeating: true, count: n), euMembers: nil, lines: Array(1...max(n, 1)).prefix(n).map { $0 + 1 })
    }

    init(side: Side, file: String, ids: [String], names: [String], latinNames: [String], levels: [Level],
         countries: [String], regions: [String], populations: [Double], latitudes: [Double], longitudes: [Double],
         slots: [Int], sectors: [String], sectorValues: Matrix, profiles: [String], profileValues: Matrix,
         volunteers: [Bool], euMembers: [Bool]?, lines: [Int]) {
        self.side = side; self.file = file; self.ids = ids; self.names = names; self.latinNames = latinNames
        self.levels = levels; self.countries = countries; self.regions = regions; self.populations = populations
        self.latitudes = latitudes; self.longitudes = longitudes; self.slots = slots; self.sectors = sectors
        self.sectorValues = sectorValues; self.profiles = profiles; self.profileValues = profileValues
        self.volunteers = volunteers; self.euMembers = euMembers; self.lines = lines
    }

    /// The registry restricted to `rows`, in that order.
    public func subset(_ rows: [Int]) -> Registry {
        func pick<T>(_ a: [T]) -> [T] { rows.map { a[$0] } }
        func pick(_ m: Matrix) -> Matrix {
            Matrix(rows: rows.count, columns: m.columns, storage: rows.flatMap { r in (0..<m.columns).map { m[r, $0] } })
        }
        return Registry(side: side, file: file, ids: pick(ids), names: pick(names), latinNames: pick(latinNames),
                        levels: pick(levels), countries: pick(countries), regions: pick(regions),
                        populations: pick(populations), latitudes: pick(latitudes), longitudes: pick(longitudes),
                        slots: pick(slots), sectors: sectors, sectorValues: pick(sectorValues), profiles: profiles,
                        profileValues: pick(profileValues), volunteers: pick(volunteers), euMembers: euMembers.map(pick),
                        lines: pick(lines))
    }

    /// Row index of each id.
    public func index() -> [String: Int] {
        Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
    }

    /// Reads and validates a registry CSV; every problem is reported, in file order.
    public static func load(path: String, side: Side) throws(InputErrors) -> Registry {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "cannot read the file")])
        }
        if path.lowercased().hasSuffix(".json") { return try parseJSON(data, file: name, side: side) }
        return try parse(data, file: name, side: side)
    }

    /// A JSON array of objects with the same keys as the CSV columns. Problems are
    /// reported as `file: record N, key "k": message`.
    public static func parseJSON(_ data: Data, file: String, side: Side) throws(InputErrors) -> Registry {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "is not valid JSON: \(detail)")])
        }
        guard let objects = root as? [Any], !objects.isEmpty else {
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "expected a non-empty JSON array of objects")])
        }
        var keys: [String] = [], seen = Set<String>()
        var rows: [[String: Any]] = []
        for (k, object) in objects.enumerated() {
            guard let row = object as? [String: Any] else {
                throw InputErrors([InputError(file: file, record: k + 1, key: nil, message: "expected an object")])
            }
            for key in row.keys.sorted() where seen.insert(key).inserted { keys.append(key) }
            rows.append(row)
        }
        // The same records as CSV, so both formats share one validator.
        func cell(_ value: Any?) -> String {
            let text: String
            switch value {
            case nil, is NSNull: text = ""
            case let b as Bool where type(of: value!) == type(of: NSNumber(value: true)): text = b ? "1" : "0"
            case let n as NSNumber: text = n.stringValue
            case let s as String: text = s
            default: text = "\(value!)"
            }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var csv = keys.map(cell).joined(separator: ",") + "\n"
        for row in rows { csv += keys.map { cell(row[$0]) }.joined(separator: ",") + "\n" }
        do {
            return try parse(Data(csv.utf8), file: file, side: side)
        } catch {
            throw InputErrors(error.errors.map { e in
                guard e.line > 1 else { return InputError(file: file, line: 0, column: 0, message: e.message) }
                return InputError(file: file, record: e.line - 1, key: e.column > 0 ? keys[e.column - 1] : nil, message: e.message)
            })
        }
    }

    static let required = ["id", "name", "level", "country", "population", "lat", "lon"]

    public static func parse(_ data: Data, file: String, side: Side) throws(InputErrors) -> Registry {
        let table = try CSVTable.parse(data, file: file)
        var errors: [InputError] = []
        func fail(_ line: Int, _ column: Int, _ message: String) {
            errors.append(InputError(file: file, line: line, column: column, message: message))
        }
        // Header: duplicates, missing columns, sector names.
        var position: [String: Int] = [:]
        for (k, column) in table.header.enumerated() {
            if let first = position[column] {
                fail(1, k + 1, "duplicate column \"\(column)\" (also column \(first + 1))")
            } else {
                position[column] = k
            }
        }
        for column in required where position[column] == nil {
            fail(1, 0, "missing column \"\(column)\"; a \(side.rawValue) file needs \(required.joined(separator: ", "))")
        }
        let prefix = side.sectorPrefix, otherPrefix = side == .hromadas ? "offer_" : "need_"
        var sectorColumns: [(String, Int)] = [], profileColumns: [(String, Int)] = []
        for (k, column) in table.header.enumerated() where position[column] == k {
            if column.hasPrefix(prefix) {
                let sector = String(column.dropFirst(prefix.count))
                if knownSectors.contains(sector) {
                    sectorColumns.append((sector, k))
                } else {
                    fail(1, k + 1, "unknown sector \"\(sector)\"; expected one of \(knownSectors.joined(separator: ", "))")
                }
            } else if column.hasPrefix(otherPrefix) {
                fail(1, k + 1, "column \"\(column)\" belongs to the other side: a \(side.rawValue) file has \(prefix)<sector> columns")
            } else if column.hasPrefix("profile_") {
                profileColumns.append((String(column.dropFirst("profile_".count)), k))
            }
        }
        if sectorColumns.isEmpty && errors.isEmpty {
            fail(1, 0, "no \(prefix)<sector> columns; expected at least one of \(prefix)\(knownSectors[0]), \(prefix)\(knownSectors[1]), …")
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        if table.count == 0 {
            throw InputErrors([InputError(file: file, line: 0, column: 0, message: "has a header but no data rows")])
        }

        let n = table.count, width = table.header.count
        var ids = [String](), names = [String](), latin = [String](), levels = [Level](), countries = [String]()
        var regions = [String](), pops = [Double](), lats = [Double](), lons = [Double](), slots = [Int]()
        var volunteers = [Bool](), eu = [Bool]()
        ids.reserveCapacity(n); names.reserveCapacity(n); latin.reserveCapacity(n); levels.reserveCapacity(n)
        countries.reserveCapacity(n); regions.reserveCapacity(n); pops.reserveCapacity(n)
        lats.reserveCapacity(n); lons.reserveCapacity(n); slots.reserveCapacity(n)
        var sectorValues = [Float](repeating: 0, count: n * sectorColumns.count)
        var profileValues = [Float](repeating: 0, count: n * profileColumns.count)
        var firstLine: [String: Int] = [:]
        firstLine.reserveCapacity(n)
        let sectorIndices = sectorColumns.map(\.1), profileIndices = profileColumns.map(\.1)
        let cId = position["id"]!, cName = position["name"]!, cLevel = position["level"]!, cCountry = position["country"]!
        let cPop = position["population"]!, cLat = position["lat"]!, cLon = position["lon"]!
        let cLatin = position["name_en"], cRegion = position["region"], cSlots = position["slots"]
        let cVolunteer = position["volunteer"], cEU = position["eu_member"]

        // The column's own name goes into messages: no string is built on the good path.
        func number(_ r: Int, _ k: Int, _ line: Int) -> Double? {
            guard let x = table.double(r, k) else {
                fail(line, k + 1, "\(table.header[k]) must be a finite number, found \"\(table.string(r, k).prefix(40))\"")
                return nil
            }
            return x
        }

        for r in 0..<n {
            let line = table.lines[r]
            guard table.fieldCount(r) == width else {
                fail(line, 0, "has \(table.fieldCount(r)) fields, expected \(width) as in the header")
                continue
            }
            let id = table.string(r, cId)
            if id.isEmpty { fail(line, cId + 1, "id is empty") }
            if let first = firstLine[id], !id.isEmpty {
                fail(line, cId + 1, "duplicate id \"\(id)\" (first on line \(first))")
            } else {
                firstLine[id] = line
            }
            let levelText = table.string(r, cLevel)
            let level = Level(rawValue: levelText)
            if level == nil {
                fail(line, cLevel + 1, "level must be one of village, settlement, city, region, found \"\(levelText.prefix(40))\"")
            }
            let country = table.string(r, cCountry)
            if country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                fail(line, cCountry + 1, "country must be an ISO 3166-1 alpha-2 code such as PL, found \"\(country.prefix(40))\"")
            }
            let pop = number(r, cPop, line)
            if let p = pop, p <= 0 {
                fail(line, cPop + 1, "population must be a positive number, found \"\(table.string(r, cPop))\"")
            }
            let lat = number(r, cLat, line), lon = number(r, cLon, line)
            if let x = lat, !(-90...90).contains(x) { fail(line, cLat + 1, "lat must be between -90 and 90, found \(table.string(r, cLat))") }
            if let x = lon, !(-180...180).contains(x) { fail(line, cLon + 1, "lon must be between -180 and 180, found \(table.string(r, cLon))") }
            var slot = 1
            if let k = cSlots {
                let text = table.string(r, k)
                if !text.isEmpty {
                    if let s = Int(text), s >= 0 { slot = s } else {
                        fail(line, k + 1, "slots must be a whole number ≥ 0, found \"\(text.prefix(40))\"")
                    }
                }
            }
            for (s, k) in sectorIndices.enumerated() {
                if let x = number(r, k, line) {
                    if !(0...1).contains(x) { fail(line, k + 1, "\(table.header[k]) must be between 0 and 1, found \(table.string(r, k))") }
                    sectorValues[r * sectorIndices.count + s] = Float(x)
                }
            }
            for (s, k) in profileIndices.enumerated() {
                if let x = number(r, k, line) {
                    if !(0...1).contains(x) { fail(line, k + 1, "\(table.header[k]) must be between 0 and 1, found \(table.string(r, k))") }
                    profileValues[r * profileIndices.count + s] = Float(x)
                }
            }
            ids.append(id)
            let name = table.string(r, cName)
            names.append(name)
            latin.append(cLatin.map { table.string(r, $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? name)
            levels.append(level ?? .village)
            countries.append(country)
            regions.append(cRegion.map { table.string(r, $0) } ?? "")
            pops.append(pop ?? 1)
            lats.append(lat ?? 0)
            lons.append(lon ?? 0)
            slots.append(slot)
            volunteers.append(cVolunteer.map { table.isTrue(r, $0) } ?? true)
            if let k = cEU { eu.append(table.isTrue(r, k)) }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return Registry(
            side: side, file: file, ids: ids, names: names, latinNames: latin, levels: levels, countries: countries,
            regions: regions, populations: pops, latitudes: lats, longitudes: lons, slots: slots,
            sectors: sectorColumns.map(\.0), sectorValues: Matrix(rows: n, columns: sectorColumns.count, storage: sectorValues),
            profiles: profileColumns.map(\.0), profileValues: Matrix(rows: n, columns: profileColumns.count, storage: profileValues),
            volunteers: volunteers, euMembers: cEU == nil ? nil : eu, lines: table.lines)
    }
}
