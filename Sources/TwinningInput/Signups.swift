import Foundation
import LinearAlgebra
import TwinningShared

/// A sign-ups overlay, as `twinning intake` writes it: only the places that signed up, by
/// registry id. `partners.csv` (European side) holds their slots and offers: laid over
/// the partners' registry it makes those rows volunteers with those slots and offers.
/// `hromadas.csv` holds whether each seeks partners now, its slots and needs: laid over
/// the hromadas' registry it sets those. Every other row keeps the registry's values; the
/// registry file itself is never edited.
public enum SignupOverlay {
    /// The overlay's column of each sector: `offer_<sector>` or `need_<sector>`.
    public static func column(_ sector: Sector, side: Side = .partners) -> String { side.sectorPrefix + sector.rawValue }
    /// The columns it must have besides the sectors.
    public static let required = ["id", "slots"]

    /// Which registry an overlay is for, by its columns: `volunteer` (partners) or
    /// `seeking` (hromadas); nil when it has neither.
    public static func side(of table: CSVTable) -> Side? {
        table.header.contains("volunteer") ? .partners : table.header.contains("seeking") ? .hromadas : nil
    }

    /// The registry with the overlay `table` laid over it. Unknown ids, an id twice and
    /// values out of range are problems of the overlay, at their line.
    public static func apply(_ table: CSVTable, to registry: Registry) throws(InputErrors) -> Registry {
        let file = table.file, side = registry.side
        var errors: [InputError] = []
        for name in required + [side == .partners ? "volunteer" : "seeking"] where !table.header.contains(name) {
            errors.append(InputError(.missing, file: file, line: 1,
                                     "has no \(name) column; expected the \(side.rawValue).csv that twinning intake \(side.rawValue) writes"))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        let idColumn = table.header.firstIndex(of: "id")!, slotsColumn = table.header.firstIndex(of: "slots")!
        // The registry's sectors the overlay gives (a sector it lacks keeps 0 for sign-ups).
        let sectorColumns = registry.sectors.enumerated().compactMap { s, sector in table.header.firstIndex(of: column(sector, side: side)).map { (s, $0) } }
        let seekingColumn = table.header.firstIndex(of: "seeking")
        // The kept columns: every column the overlay has besides its own.
        let own = Set(["id", "name", "country", "region", "volunteer", "seeking", "slots", "offers_source", "needs_source", "signup_line"])
        let kept = table.header.indices.filter { !own.contains(table.header[$0]) && !table.header[$0].hasPrefix(side.sectorPrefix) }
        var contacts = registry.contacts
        var volunteers = registry.volunteers, slots = registry.slots, seeking = registry.seeking
        var synthetic = registry.syntheticOffers
        var values = (0..<registry.count).flatMap { i in (0..<registry.sectors.count).map { registry.sectorValues[i, $0] } }
        var seen: [Int: Int] = [:]
        let index = registry.index(), width = registry.sectors.count
        for r in 0..<table.count {
            let line = table.lines[r], id = table.string(r, idColumn)
            guard let i = index[id] else {
                errors.append(InputError(.unknownID, file: file, line: line, column: idColumn + 1,
                                         "id \"\(id.prefix(40))\" is not in \(registry.file); the overlay names registry rows only"))
                continue
            }
            if let earlier = seen[i] {
                errors.append(InputError(.duplicate, file: file, line: line, column: idColumn + 1, "\(id) signs up twice (first on line \(earlier))"))
                continue
            }
            seen[i] = line
            guard let k = Int(table.string(r, slotsColumn)), k >= 0 else {
                errors.append(InputError(.invalidValue, file: file, line: line, column: slotsColumn + 1,
                                         "slots must be a whole number ≥ 0, found \"\(table.string(r, slotsColumn).prefix(20))\""))
                continue
            }
            if side == .partners {
                volunteers[i] = true
                synthetic[i] = false
            } else if let c = seekingColumn {
                guard let wants = ["1": true, "0": false][table.string(r, c)] else {
                    errors.append(InputError(.invalidValue, file: file, line: line, column: c + 1,
                                             "seeking must be 1 or 0, found \"\(table.string(r, c).prefix(20))\""))
                    continue
                }
                seeking[i] = wants
            }
            slots[i] = k
            let details = kept.compactMap { c -> String? in
                let value = table.string(r, c)
                return value.isEmpty ? nil : "\(table.header[c]): \(value)"
            }
            if !details.isEmpty { contacts[i] = details.joined(separator: "; ") }
            for s in 0..<width { values[i * width + s] = 0 }
            for (s, c) in sectorColumns {
                let text = table.string(r, c)
                if text.isEmpty { continue }
                guard let x = table.double(r, c), (0...1).contains(x) else {
                    errors.append(InputError(.invalidValue, file: file, line: line, column: c + 1,
                                             "\(table.header[c]) must be a number between 0 and 1, found \"\(text.prefix(20))\""))
                    continue
                }
                values[i * width + s] = Float(x)
            }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return Registry(side: registry.side, file: registry.file, ids: registry.ids, names: registry.names, latinNames: registry.latinNames,
                        levels: registry.levels, countries: registry.countries, regions: registry.regions, nuts2: registry.nuts2,
                        populations: registry.populations, latitudes: registry.latitudes, longitudes: registry.longitudes,
                        slots: slots, sectors: registry.sectors, sectorValues: Matrix(rows: registry.count, columns: width, storage: values),
                        profiles: registry.profiles, profileValues: registry.profileValues, volunteers: volunteers,
                        euMembers: registry.euMembers, seeking: seeking, statuses: registry.statuses, lines: registry.lines,
                        index: index, contacts: contacts, syntheticOffers: synthetic)
    }
}
