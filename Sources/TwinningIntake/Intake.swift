import Foundation
import TwinningShared
import TwinningInput

/// Sign-ups from a form export, resolved to a registry: what `twinning intake partners`
/// (European municipalities and regions: offers, slots) and `twinning intake hromadas`
/// (hromadas: needs, slots, whether they seek partners now) write. Every export row gets
/// one ``SignupIntake/Row`` of the resolution; the resolved ones (first of each place)
/// become the overlay's rows.
public struct SignupIntake: Sendable {
    public enum Status: String, Sendable, CaseIterable {
        /// One registry place, found by code, name (with the region hint) or a person.
        case resolved
        /// Several places of that name: a person picks one (`id` in resolution.csv).
        case ambiguous
        /// No place found: a person gives the id, or the place is not in the registry.
        case unresolved
        /// A second sign-up of a place already signed up.
        case duplicate
    }

    /// One export row and what became of it.
    public struct Row: Sendable {
        public let line: Int
        public let name: String, country: String
        public let status: Status
        /// The registry row chosen (resolved and duplicate rows).
        public let place: Int?
        /// How it was found, or why not.
        public let why: String
        /// The closest registry rows, for a person to choose from (ambiguous, unresolved).
        public let candidates: [Int]
    }

    /// A resolved sign-up as the overlay holds it.
    public struct SignUp: Sendable {
        public let place: Int
        public let line: Int
        public let slots: Int
        /// Hromadas: whether it seeks partners now (the `seeking` column; true without one).
        public let seeking: Bool
        /// Per sector of `Sector.allCases`: the offer (partners) or need (hromadas) in
        /// [0, 1], nil where the form had no column for it.
        public let offers: [Double?]
        public let kept: [String]
    }

    public let export: String
    /// Whose sign-ups: the registry's side.
    public var side: Side { index.registry.side }
    public let rows: [Row]
    public let signUps: [SignUp]
    public let mapping: IntakeMapping
    public let index: PlaceIndex

    /// Reads `export` with `mapping` and resolves each row. Problems of the files (a
    /// mapped column missing, a level word the mapping does not define, an offer outside
    /// [0, 1], a country the registry does not have, an empty row) are all reported
    /// together, each at its file, line and column. `chosen`: export line → id a person
    /// gave in resolution.csv (`--resolved`).
    public static func run(export table: CSVTable, mapping: IntakeMapping, index: PlaceIndex,
                           chosen: [Int: (id: String, line: Int, file: String)] = [:]) throws(InputErrors) -> SignupIntake {
        var errors: [InputError] = []
        let file = table.file
        func column(_ c: IntakeMapping.Column) -> Int? {
            if let k = table.header.firstIndex(of: c.name) { return k }
            errors.append(InputError(.missing, file: mapping.file, line: c.line, column: c.column,
                "column \"\(c.name.prefix(60))\" is not in \(file)" + Suggestions.phrase(for: c.name, among: table.header)
                    + "; its columns are " + table.header.map { "\"\($0.prefix(40))\"" }.joined(separator: ", ")))
            return nil
        }
        let side = index.registry.side, sectorsKey = side == .partners ? "offers" : "needs"
        if let given = mapping.sectorsKey, given.key != sectorsKey {
            errors.append(InputError(.invalidValue, file: mapping.file, line: given.line,
                "\(given.key) is for \(given.key == "offers" ? "partners" : "hromadas"); a \(side == .partners ? "partner" : "hromada") sign-up says its \(sectorsKey)"))
        }
        if side == .partners && mapping.country == nil {
            errors.append(InputError(.missing, file: mapping.file, line: 1, "the mapping must say which column holds the country (country: <column heading>)"))
        }
        let nameColumn = column(mapping.name), countryColumn = mapping.country.flatMap(column)
        let codeColumn = mapping.code.flatMap(column), regionColumn = mapping.region.flatMap(column)
        let slotsColumn = mapping.slots.flatMap(column), seekingColumn = mapping.seeking.flatMap(column)
        let keptColumns = mapping.keep.map(column)
        var sectorColumns: [(Int, Int)] = []   // (sector index, export column)
        var answers: (column: Int, separator: String, meaning: [String: [Sector]])?
        switch mapping.sectors {
        case let .columns(list)?:
            for (sector, c) in list { if let k = column(c) { sectorColumns.append((Sector.allCases.firstIndex(of: sector)!, k)) } }
        case let .answers(c, separator, meaning)?:
            if let k = column(c) { answers = (k, separator, meaning) }
        case nil: break
        }
        guard errors.isEmpty, let nameColumn else { throw InputErrors(errors) }
        let countries = Set(index.registry.countries)

        var rows: [Row] = [], signUps: [SignUp] = [], first: [Int: (line: Int, signUp: SignUp)] = [:]
        let registry = index.registry
        for r in 0..<table.count {
            let line = table.lines[r]
            func cell(_ k: Int) -> String { k < table.fieldCount(r) ? table.string(r, k) : "" }
            let mapped = [nameColumn] + [countryColumn, codeColumn, regionColumn, slotsColumn, seekingColumn].compactMap { $0 } + sectorColumns.map(\.1)
            if mapped.allSatisfy({ cell($0).isEmpty }) {
                errors.append(InputError(.missing, file: file, line: line, "is empty (every mapped column blank): delete the row"))
                continue
            }
            let name = cell(nameColumn), countryText = countryColumn.map(cell) ?? "UA"
            guard let country = Countries.code(countryText), countries.contains(country) else {
                errors.append(InputError(.invalidValue, file: file, line: line, column: (countryColumn ?? 0) + 1,
                    "country \"\(countryText.prefix(40))\" is not one of the \(side.rawValue)' registry ("
                        + (side == .partners ? "give a name such as Poland or Polska, or a code such as PL)" : "hromadas are in Ukraine, UA)")))
                continue
            }
            // Offers: numbers or level words, or the answers of one question.
            var offers = [Double?](repeating: nil, count: Sector.allCases.count)
            for (s, k) in sectorColumns {
                let text = cell(k)
                if text.isEmpty { offers[s] = 0; continue }
                if let x = table.double(r, k) {
                    guard (0...1).contains(x) else {
                        errors.append(InputError(.invalidValue, file: file, line: line, column: k + 1,
                            "\(table.header[k].prefix(40)) must be between 0 and 1 or a level word (\(levelWords(mapping))), found \(text.prefix(20))"))
                        continue
                    }
                    offers[s] = x
                } else if let x = mapping.levels[NameKey.fold(text)] {
                    offers[s] = x
                } else {
                    errors.append(InputError(.invalidValue, file: file, line: line, column: k + 1,
                        "\"\(text.prefix(40))\" in \(table.header[k].prefix(40)) is not a level word of \(mapping.file) (\(levelWords(mapping))) "
                            + "nor a number between 0 and 1" + Suggestions.phrase(for: NameKey.fold(text), among: Array(mapping.levels.keys))))
                }
            }
            if let answers {
                for s in offers.indices { offers[s] = 0 }
                for answer in cell(answers.column).components(separatedBy: answers.separator).map({ NameKey.fold($0) }) where !answer.isEmpty {
                    guard let sectors = answers.meaning[answer] else {
                        errors.append(InputError(.invalidValue, file: file, line: line, column: answers.column + 1,
                            "answer \"\(answer.prefix(40))\" is not under offers.answers in \(mapping.file)"
                                + Suggestions.phrase(for: answer, among: Array(answers.meaning.keys))))
                        continue
                    }
                    for sector in sectors { offers[Sector.allCases.firstIndex(of: sector)!] = 1 }
                }
            }
            var seeking = true
            if let k = seekingColumn, !cell(k).isEmpty {
                guard let answer = Self.yesNo[NameKey.fold(cell(k))] else {
                    errors.append(InputError(.invalidValue, file: file, line: line, column: k + 1,
                                             "\(table.header[k].prefix(40)) must be yes or no (or 1 or 0), found \(cell(k).prefix(20))"))
                    continue
                }
                seeking = answer
            }
            var slots = 1
            if let k = slotsColumn, !cell(k).isEmpty {
                guard let n = Int(cell(k)), n >= 0 else {
                    errors.append(InputError(.invalidValue, file: file, line: line, column: k + 1,
                                             "\(table.header[k].prefix(40)) must be a whole number of partners ≥ 0, found \(cell(k).prefix(20))"))
                    continue
                }
                slots = n
            }
            // The place: a person's choice first, then the code, the name and the region.
            let match: PlaceIndex.Match
            if let given = chosen[line] {
                guard let i = registry.index()[given.id] else {
                    errors.append(InputError(.unknownID, file: given.file, line: given.line,
                                             "id \(given.id.prefix(40)) (for line \(line) of \(file)) is not in \(registry.file)"))
                    continue
                }
                guard registry.countries[i] == country else {
                    errors.append(InputError(.conflict, file: given.file, line: given.line,
                        "id \(given.id) is in \(registry.countries[i]) but line \(line) of \(file) signs up from \(country)"))
                    continue
                }
                match = .one(i, how: "chosen in \(given.file)")
            } else {
                match = index.find(name: name, country: country, code: codeColumn.map(cell), region: regionColumn.map(cell))
            }
            switch match {
            case let .one(i, how):
                let signUp = SignUp(place: i, line: line, slots: slots, seeking: seeking, offers: offers, kept: keptColumns.map { $0.map(cell) ?? "" })
                if let earlier = first[i] {
                    let same = earlier.signUp.slots == slots && earlier.signUp.offers == offers && earlier.signUp.seeking == seeking
                    rows.append(Row(line: line, name: name, country: country, status: .duplicate, place: i,
                                    why: "\(registry.latinNames[i]) signed up on line \(earlier.line) too; "
                                        + (same ? "same answers, merged" : "different answers: the first stands, correct or delete one of the two lines"),
                                    candidates: []))
                } else {
                    first[i] = (line, signUp)
                    signUps.append(signUp)
                    rows.append(Row(line: line, name: name, country: country, status: .resolved, place: i, why: how, candidates: []))
                }
            case let .several(candidates, why):
                rows.append(Row(line: line, name: name, country: country, status: .ambiguous, place: nil, why: why, candidates: candidates))
            case let .none(closest, why):
                rows.append(Row(line: line, name: name, country: country, status: .unresolved, place: nil,
                                why: why + (closest.isEmpty ? "; not in the registry?" : "; closest below"), candidates: closest))
            }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return SignupIntake(export: file, rows: rows, signUps: signUps, mapping: mapping, index: index)
    }

    /// Answers to "do you seek partners now?", folded.
    static let yesNo: [String: Bool] = ["yes": true, "no": false, "1": true, "0": false, "true": true, "false": false,
                                        "tak": true, "ni": false, "y": true, "n": false]

    static func levelWords(_ mapping: IntakeMapping) -> String {
        mapping.levels.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key).joined(separator: ", ")
    }

    /// How many rows have each status.
    public var counts: [Status: Int] { Dictionary(grouping: rows, by: \.status).mapValues(\.count) }
}
