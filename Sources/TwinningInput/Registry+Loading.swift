import Foundation
import LinearAlgebra
import TwinningShared

extension Registry {
    /// Reads and validates a registry file, CSV or (by its `.json` suffix) JSON; every
    /// problem is reported, in file order.
    public static func load(path: String, side: Side) throws(InputErrors) -> Registry {
        try parse(InputFile.contents(path: path), path: path, side: side)
    }

    /// A registry file's bytes, CSV or (by the path's `.json` suffix) JSON.
    public static func parse(_ contents: FileBytes, path: String, side: Side) throws(InputErrors) -> Registry {
        if path.lowercased().hasSuffix(".json") { return try parseJSON(contents.data, file: path, side: side) }
        return try validate(CSVTable.parse(contents, file: path), side: side)
    }

    /// A CSV registry.
    public static func parse(_ data: Data, file: String, side: Side) throws(InputErrors) -> Registry {
        try validate(CSVTable.parse(data, file: file), side: side)
    }

    /// A JSON array of objects with the same keys as the CSV columns. Problems are
    /// reported as `file: record N, key "k": message`.
    public static func parseJSON(_ data: Data, file: String, side: Side) throws(InputErrors) -> Registry {
        try validate(JSONTable.parse(data, file: file), side: side)
    }

    /// The sector and profile columns of a header, with problems in `errors`.
    private static func familyColumns<T: FieldTable>(_ table: T, side: Side, position: [String: Int],
                                                      errors: inout [InputError]) -> (sectors: [(Sector, Int)], profiles: [(String, Int)]) {
        let prefix = side.sectorPrefix, otherPrefix = side.other.sectorPrefix
        var sectors: [(Sector, Int)] = [], profiles: [(String, Int)] = []
        for (k, column) in table.header.enumerated() where position[column] == k {
            if column.hasPrefix(prefix) {
                let name = String(column.dropFirst(prefix.count))
                if let sector = Sector(rawValue: name) {
                    sectors.append((sector, k))
                } else {
                    let known = Sector.allCases.map(\.rawValue)
                    errors.append(table.error(.unknownKey, record: -1, field: k,
                        "unknown sector \"\(name)\"" + Suggestions.phrase(for: name, among: known)
                            + "; expected one of \(known.joined(separator: ", "))"))
                }
            } else if column.hasPrefix(otherPrefix) {
                errors.append(table.error(.unknownKey, record: -1, field: k,
                    "column \"\(column)\" belongs to the other side: a \(side.rawValue) file has \(prefix)<sector> columns"))
            } else if column.hasPrefix("profile_") {
                profiles.append((String(column.dropFirst("profile_".count)), k))
            }
        }
        if sectors.isEmpty && errors.isEmpty {
            errors.append(table.error(.missing, record: -1, field: -1,
                "no \(prefix)<sector> columns; expected at least one of \(prefix)\(Sector.energy.rawValue), \(prefix)\(Sector.water.rawValue), …"))
        }
        return (sectors, profiles)
    }

    static func validate<T: FieldTable>(_ table: T, side: Side) throws(InputErrors) -> Registry {
        var errors: [InputError] = []
        let required = RegistryColumn.required.map(\.rawValue)
        let position = table.columns(required: required, what: side.rawValue, errors: &errors)
        let (sectorColumns, profileColumns) = familyColumns(table, side: side, position: position, errors: &errors)
        if !errors.isEmpty { throw InputErrors(errors) }
        if table.count == 0 {
            throw InputErrors(InputError(.missing, file: table.file, "has a header but no data rows"))
        }
        func column(_ c: RegistryColumn) -> Int? { position[c.rawValue] }
        let columns = RowBuilder.Columns(
            id: column(.id)!, name: column(.name)!, level: column(.level)!, country: column(.country)!,
            population: column(.population)!, lat: column(.lat)!, lon: column(.lon)!, latin: column(.nameEN),
            region: column(.region), nuts2: column(.nuts2), slots: column(.slots), volunteer: column(.volunteer),
            euMember: column(.euMember), seeking: column(.seeking), status: column(.status),
            synthetic: column(.offersSynthetic), sectors: sectorColumns.map(\.1), profiles: profileColumns.map(\.1))
        // Rows are checked in parallel halves (large files: every field of 98,613 rows),
        // then joined; problems come out in file order either way.
        let parts = table.count >= 20_000 ? min(2, ProcessInfo.processInfo.activeProcessorCount) : 1
        let cut = (0...parts).map { table.count * $0 / parts }
        // The first part has room for all rows, so joining the others copies once.
        var builders = (0..<parts).map {
            RowBuilder(records: cut[$0]..<cut[$0 + 1], room: $0 == 0 ? table.count : cut[$0 + 1] - cut[$0],
                       sectors: sectorColumns.count, profiles: profileColumns.count)
        }
        builders.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                shared.base[part].readAll(table, columns: columns)
            }
        }
        var rows = builders.removeFirst()   // taken out, so that appending does not copy it
        for next in builders { rows.append(next) }
        // Duplicate ids in one pass over all rows, which also gives the id index.
        var rowOfID: [String: Int] = [:]
        rowOfID.reserveCapacity(rows.ids.count)
        // One hash per id: the slot is filled with `k` when the id is new, and otherwise
        // holds the row that had it first (rows are numbered once each).
        func earlier(_ slot: inout Int, than k: Int) -> Int? { slot == k ? nil : slot }
        for (k, id) in rows.ids.enumerated() where !id.isEmpty {
            if let first = earlier(&rowOfID[id, default: k], than: k) {
                // Checked right after the (then non-empty) id, as a single pass would have.
                rows.problems.append((rows.rowRecords[k], -1, table.error(.duplicate, record: rows.rowRecords[k], field: columns.id,
                    "duplicate id \"\(id.prefix(40))\" (first on \(table is CSVTable ? "line" : "record") \(table.position(rows.rowRecords[first])))")))
            }
        }
        if !rows.problems.isEmpty {
            throw InputErrors(rows.problems.sorted { ($0.record, $0.order) < ($1.record, $1.order) }.map(\.error))
        }
        return Registry(
            side: side, file: table.file, ids: rows.ids, names: rows.names, latinNames: rows.latin, levels: rows.levels,
            countries: rows.countries, regions: rows.regions, nuts2: rows.nuts2, populations: rows.populations,
            latitudes: rows.latitudes, longitudes: rows.longitudes, slots: rows.slots,
            sectors: sectorColumns.map(\.0), sectorValues: Matrix(rows: table.count, columns: sectorColumns.count, storage: rows.sectorValues),
            profiles: profileColumns.map(\.0), profileValues: Matrix(rows: table.count, columns: profileColumns.count, storage: rows.profileValues),
            volunteers: rows.volunteers, euMembers: columns.euMember == nil ? nil : rows.euMembers,
            seeking: rows.seeking, statuses: rows.statuses, lines: table.positions, index: rowOfID,
            syntheticOffers: rows.synthetic)
    }
}

/// The columns of a registry being read, checked row by row, for a range of records.
private struct RowBuilder {
    struct Columns {
        let id: Int, name: Int, level: Int, country: Int, population: Int, lat: Int, lon: Int
        let latin: Int?, region: Int?, nuts2: Int?, slots: Int?, volunteer: Int?, euMember: Int?, seeking: Int?, status: Int?, synthetic: Int?
        let sectors: [Int], profiles: [Int]
    }

    let records: Range<Int>
    var ids: [String] = [], names: [String] = [], latin: [String] = [], levels: [Level] = [], countries: [String] = []
    var regions: [String] = [], nuts2: [String] = [], populations: [Double] = [], latitudes: [Double] = []
    var longitudes: [Double] = [], slots: [Int] = [], volunteers: [Bool] = [], euMembers: [Bool] = []
    var seeking: [Bool?] = [], statuses: [String] = [], synthetic: [Bool] = []
    var sectorValues: [Float], profileValues: [Float]
    /// The record each appended row came from.
    var rowRecords: [Int] = []
    /// Problems with their record and their order among the record's checks.
    var problems: [(record: Int, order: Int, error: InputError)] = []
    let sectorCount: Int, profileCount: Int

    /// Room for `room` rows (at least the range's).
    init(records: Range<Int>, room n: Int, sectors: Int, profiles: Int) {
        self.records = records
        sectorCount = sectors; profileCount = profiles
        sectorValues = []; profileValues = []
        sectorValues.reserveCapacity(n * sectors); profileValues.reserveCapacity(n * profiles)
        sectorValues += repeatElement(0, count: records.count * sectors)
        profileValues += repeatElement(0, count: records.count * profiles)
        rowRecords.reserveCapacity(n)
        ids.reserveCapacity(n); names.reserveCapacity(n); latin.reserveCapacity(n); levels.reserveCapacity(n)
        countries.reserveCapacity(n); regions.reserveCapacity(n); nuts2.reserveCapacity(n); populations.reserveCapacity(n)
        latitudes.reserveCapacity(n); longitudes.reserveCapacity(n); slots.reserveCapacity(n); volunteers.reserveCapacity(n)
        euMembers.reserveCapacity(n); seeking.reserveCapacity(n); statuses.reserveCapacity(n); synthetic.reserveCapacity(n)
    }

    mutating func readAll<T: FieldTable>(_ table: T, columns: Columns) {
        for r in records {
            guard table.fieldCount(r) == table.header.count else {
                problems.append((r, 0, table.error(.syntax, record: r, field: -1,
                                                    "has \(table.fieldCount(r)) fields, expected \(table.header.count) as in the header")))
                continue
            }
            read(r, of: table, columns: columns)
        }
    }

    /// Appends the rows of the next range.
    mutating func append(_ next: RowBuilder) {
        ids += next.ids; names += next.names; latin += next.latin; levels += next.levels; countries += next.countries
        regions += next.regions; nuts2 += next.nuts2; populations += next.populations; latitudes += next.latitudes
        longitudes += next.longitudes; slots += next.slots; volunteers += next.volunteers; euMembers += next.euMembers
        seeking += next.seeking; statuses += next.statuses; synthetic += next.synthetic
        sectorValues += next.sectorValues; profileValues += next.profileValues
        problems += next.problems
        rowRecords += next.rowRecords
    }

    /// Checks record `r` and appends it. The column's own name goes into messages: no
    /// string is built on the good path.
    mutating func read<T: FieldTable>(_ r: Int, of table: T, columns c: Columns) {
        func fail(_ code: InputError.Code, _ k: Int, _ message: String) {
            problems.append((r, problems.count, table.error(code, record: r, field: k, message)))
        }
        func number(_ k: Int) -> Double? {
            guard let x = table.double(r, k) else {
                fail(.invalidValue, k, "\(table.header[k]) must be a finite number, found \"\(table.string(r, k).prefix(40))\"")
                return nil
            }
            return x
        }
        func unit(_ k: Int) -> Float {
            guard let x = number(k) else { return 0 }
            if !(0...1).contains(x) { fail(.invalidValue, k, "\(table.header[k]) must be between 0 and 1, found \(table.string(r, k))") }
            return Float(x)
        }
        let id = table.string(r, c.id)
        if id.isEmpty { fail(.missing, c.id, "id is empty") }
        let level = table.level(r, c.level)
        if level == nil {
            fail(.invalidValue, c.level, "level must be one of village, settlement, city, region, found \"\(table.string(r, c.level).prefix(40))\"")
        }
        let country = table.string(r, c.country)
        if !table.isCountryCode(r, c.country) {
            fail(.invalidValue, c.country, "country must be an ISO 3166-1 alpha-2 code such as PL, found \"\(country.prefix(40))\"")
        }
        let population = number(c.population)
        if let p = population, p <= 0 {
            fail(.invalidValue, c.population, "population must be a positive number, found \"\(table.string(r, c.population))\"")
        }
        let lat = number(c.lat), lon = number(c.lon)
        if let x = lat, !(-90...90).contains(x) { fail(.invalidValue, c.lat, "lat must be between -90 and 90, found \(table.string(r, c.lat))") }
        if let x = lon, !(-180...180).contains(x) { fail(.invalidValue, c.lon, "lon must be between -180 and 180, found \(table.string(r, c.lon))") }
        var slot = 1
        if let k = c.slots {
            if let s = table.wholeNumber(r, k, empty: 1) { slot = s } else {
                fail(.invalidValue, k, "slots must be a whole number ≥ 0, found \"\(table.string(r, k).prefix(40))\"")
            }
        }
        let local = r - records.lowerBound
        for (s, k) in c.sectors.enumerated() { sectorValues[local * sectorCount + s] = unit(k) }
        for (s, k) in c.profiles.enumerated() { profileValues[local * profileCount + s] = unit(k) }
        ids.append(id)
        rowRecords.append(r)
        let name = table.string(r, c.name)
        if name.isEmpty { fail(.missing, c.name, "name is empty: every place needs a name people can read") }
        names.append(name)
        latin.append(c.latin.map { table.string(r, $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? name)
        levels.append(level ?? .village)
        countries.append(country)
        regions.append(c.region.map { table.string(r, $0) } ?? "")
        nuts2.append(c.nuts2.map { table.string(r, $0) } ?? "")
        populations.append(population ?? 1)
        latitudes.append(lat ?? 0)
        longitudes.append(lon ?? 0)
        slots.append(slot)
        func flag(_ k: Int?, _ meaning: String) -> Bool? {
            guard let k else { return nil }
            guard let value = table.flag(r, k) else {
                fail(.invalidValue, k, "\(table.header[k]) must be 1 (\(meaning)), 0 or empty, found \"\(table.string(r, k).prefix(40))\"")
                return nil
            }
            return value
        }
        volunteers.append(c.volunteer == nil ? true : flag(c.volunteer, "signed up as a partner") ?? false)
        if let k = c.euMember { euMembers.append(flag(k, "an EU member") ?? false) }
        seeking.append(flag(c.seeking, "wants partners"))
        statuses.append(c.status.map { table.string(r, $0) } ?? "")
        synthetic.append(flag(c.synthetic, "offers invented") ?? false)
    }
}
