import Foundation
import TwinningShared
import TwinningInput
import TwinningOutput

extension SignupIntake {
    /// How many candidates resolution.csv lists for a person to choose from.
    public static let candidatesShown = 3

    /// `resolution.csv`: one row per export row, in export order — its line, the name and
    /// country as given, the status, the id, registry name and region (NUTS 3, or oblast)
    /// chosen, why, and for the rows a person must settle the closest registry places. A person fills `id` on
    /// those rows and runs intake again with `--resolved`.
    public var resolutionCSV: String {
        let r = index.registry
        var header = ["line", "name_given", "country_given", "status", "id", "registry_name", "region", "population", "why"]
        for k in 1...Self.candidatesShown { header += ["candidate_\(k)_id", "candidate_\(k)_name", "candidate_\(k)_region", "candidate_\(k)_population"] }
        let rows = rows.map { row -> [String] in
            var cells = [String(row.line), row.name, row.country, row.status.rawValue]
            if let i = row.place {
                cells += [r.ids[i], r.bothNames(i), r.regions[i], Decimals.fixed(r.populations[i], 0)]
            } else {
                cells += ["", "", "", ""]
            }
            cells.append(row.why)
            for k in 0..<Self.candidatesShown {
                if k < row.candidates.count {
                    let i = row.candidates[k]
                    cells += [r.ids[i], r.bothNames(i), r.regions[i], Decimals.fixed(r.populations[i], 0)]
                } else {
                    cells += ["", "", "", ""]
                }
            }
            return cells
        }
        return CSVWriter.text(rows, header: header)
    }

    /// The overlay's file name: `partners.csv` or `hromadas.csv`.
    public var overlayName: String { "\(side.rawValue).csv" }

    /// The overlay: the resolved sign-ups only, by registry id, as `SignupOverlay` reads
    /// them (partners: volunteers with slots and offers; hromadas: seeking or not, slots
    /// and needs), with the kept columns at the end.
    public var overlayCSV: String {
        let r = index.registry
        let partners = side == .partners
        let header = ["id", "name", partners ? "country" : "region", partners ? "volunteer" : "seeking", "slots",
                      partners ? "offers_source" : "needs_source", "signup_line"]
            + Sector.allCases.map { SignupOverlay.column($0, side: side) } + mapping.keep.map(\.name)
        let rows = signUps.map { s -> [String] in
            [r.ids[s.place], r.bothNames(s.place), partners ? r.countries[s.place] : r.regions[s.place], s.seeking ? "1" : "0",
             String(s.slots), "signup", String(s.line)]
                + s.offers.map { Self.decimal($0 ?? 0) } + s.kept
        }
        return CSVWriter.text(rows, header: header)
    }

    /// A value in [0, 1] with at most three decimals, trailing zeros dropped: `0.8`, `1`, `0`.
    static func decimal(_ x: Double) -> String {
        var text = Decimals.fixed(x, 3)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The ids a person gave in a resolution.csv (`--resolved`): export line → id, for the
    /// rows whose `id` is filled and that intake did not resolve itself. A row naming
    /// another place than the export's line now names is an error: the export changed.
    public static func chosen(in path: String, export: CSVTable, mapping: IntakeMapping) throws(InputErrors) -> [Int: (id: String, line: Int, file: String)] {
        let table = try CSVTable.load(path: path)
        let columns = ["line", "name_given", "status", "id"].map { table.header.firstIndex(of: $0) }
        guard let lineColumn = columns[0], let nameColumn = columns[1], let statusColumn = columns[2], let idColumn = columns[3] else {
            throw InputErrors(InputError(.missing, file: path, line: 1, "is not a resolution.csv of twinning intake (line, name_given, status and id columns)"))
        }
        let nameOf = Dictionary(uniqueKeysWithValues: (0..<export.count).map { r in
            (export.lines[r], export.header.firstIndex(of: mapping.name.name).map { $0 < export.fieldCount(r) ? export.string(r, $0) : "" } ?? "")
        })
        var out: [Int: (String, Int, String)] = [:], errors: [InputError] = []
        for r in 0..<table.count {
            let id = table.string(r, idColumn), status = table.string(r, statusColumn)
            guard !id.isEmpty, status != Status.resolved.rawValue, status != Status.duplicate.rawValue else { continue }
            guard let line = Int(table.string(r, lineColumn)), let name = nameOf[line] else {
                errors.append(InputError(.invalidValue, file: path, line: table.lines[r], column: lineColumn + 1,
                                         "line \(table.string(r, lineColumn).prefix(20)) is not a sign-up line of \(export.file)"))
                continue
            }
            guard name == table.string(r, nameColumn) else {
                errors.append(InputError(.conflict, file: path, line: table.lines[r],
                    "is for \"\(table.string(r, nameColumn).prefix(40))\" on line \(line), but line \(line) of \(export.file) is now \"\(name.prefix(40))\": "
                        + "the export changed; run intake again without --resolved"))
                continue
            }
            out[line] = (id, table.lines[r], path)
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return out
    }
}
