import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// The files `match` and the batch write, each rendered from the ``ProposalTable``.
public enum ProposalFile: String, CaseIterable, Sendable {
    /// One row per proposal, one column per score component.
    case proposals = "proposals.csv"
    /// Each proposal's alternatives, one per row (long format), with who holds each.
    case alternatives = "alternatives.csv"
    /// Hromadas that got fewer partners than they wanted, and why.
    case unmatched = "unmatched.csv"
    /// Everything above, with the summary, warnings, weights, rules and inputs.
    case json = "proposals.json"
    /// The page coordinators open: map, cards, table, charts (``HTMLReport``).
    case report = "report.html"
    /// The three tables as sheets of one workbook, with what the run used (``XLSXWriter``).
    case workbook = "proposals.xlsx"

    /// The format a file is in.
    public var format: OutputFormat {
        switch self {
        case .proposals, .alternatives, .unmatched: return .csv
        case .json: return .json
        case .report: return .html
        case .workbook: return .xlsx
        }
    }
}

/// The formats `match` and the batch can write.
public enum OutputFormat: String, CaseIterable, Sendable {
    case csv, json, html, xlsx
}

/// How the files are written.
public struct OutputOptions: Sendable {
    public var formats: Set<OutputFormat>
    /// CSV with a UTF-8 byte-order mark, for Excel opened by double-click.
    public var excel: Bool
    /// What the HTML report shows beyond the table.
    public var report: ReportOptions

    public init(formats: Set<OutputFormat> = Set(OutputFormat.allCases), excel: Bool = false, report: ReportOptions = ReportOptions()) {
        self.formats = formats
        self.excel = excel
        self.report = report
    }
}

extension ProposalTable {
    /// Version of the layout of the files: raised whenever a column or key changes meaning
    /// or disappears.
    public static let schemaVersion = 3

    static func placeColumns<Row>(_ prefix: String, _ place: @escaping @Sendable (Row) -> Place) -> [Column<Row>] {
        [.text("\(prefix)_id") { place($0).id }, .text("\(prefix)_name") { place($0).name },
         .text("\(prefix)_name_latin") { place($0).nameLatin }]
    }

    /// Latitude and longitude (WGS84 degrees), for maps.
    static func coordinateColumns<Row>(_ prefix: String, _ place: @escaping @Sendable (Row) -> Place) -> [Column<Row>] {
        [.number("\(prefix)_lat", digits: 5) { place($0).latitude }, .number("\(prefix)_lon", digits: 5) { place($0).longitude }]
    }

    /// `likelihood` (the share of known partnerships less typical than the pair; empty when
    /// none is known), `fit` (empty where the pair has none), `fit_note` (why not, or the
    /// fit's share of the score) and `reasons` (the pair's reasons in words: one text in
    /// CSV, a list in JSON): next to the score wherever a score is written.
    public static func explanationColumns<Row>(_ breakdown: @escaping @Sendable (Row) -> Breakdown) -> [Column<Row>] {
        [Column("likelihood") { row in breakdown(row).likelihood.map { .number($0, digits: 3) } ?? .missing },
         Column("fit") { row in breakdown(row).fit.map { .number($0, digits: 4) } ?? .missing },
         .text("fit_note") { breakdown($0).fitNote },
         Column("reasons") { row in
             let reasons = breakdown(row).reasons
             return .structured(text: reasons.joined(separator: "; "), json: .list(reasons.map { .text($0) }))
         }]
    }

    /// `proposals.csv`. The sectors' needs and offers are rounded once, to the two
    /// decimals the CSV shows, so the JSON (and the report's cards) say the same.
    public static let proposalColumns: [Column<Proposal>] = {
        var columns: [Column<Proposal>] = placeColumns("hromada") { $0.hromada }
        columns += [.text("hromada_region") { $0.hromada.region }, .number("hromada_population", digits: 0) { $0.hromada.population }]
        columns += coordinateColumns("hromada") { $0.hromada }
        columns += placeColumns("partner") { $0.partner }
        columns += [.text("partner_country") { $0.partner.country }, .text("partner_region") { $0.partner.region },
                    .number("partner_population", digits: 0) { $0.partner.population },
                    .integer("partner_volunteer") { $0.partner.volunteer ? 1 : 0 }]
        columns += coordinateColumns("partner") { $0.partner }
        columns += [
                    .text("status") { $0.status.rawValue },
                    Column("locked_by") { $0.lockedBy.map(Cell.text) ?? .missing },
                    .number("score", digits: 4) { $0.breakdown.score }]
        columns += explanationColumns { $0.breakdown }
        columns += ScoreComponent.allCases.map { c in .number(c.rawValue, digits: 4) { $0.breakdown[c].value } }
        columns += [
            Column("top_sectors") { row in
                let sectors = row.breakdown.topSectors
                return .structured(
                    text: sectors.map { "\($0.sector.rawValue) \(Decimals.fixed($0.need, 2))×\(Decimals.fixed($0.offer, 2))" }.joined(separator: "; "),
                    json: .list(sectors.map {
                        .map(["sector": .text($0.sector.rawValue), "need": .number(Double(Decimals.fixed($0.need, 2))!),
                              "offer": .number(Double(Decimals.fixed($0.offer, 2))!)])
                    }))
            },
            .number("size_ratio", digits: 3) { $0.breakdown.sizeRatio },
            .number("distance_km", digits: 1) { $0.breakdown.distanceKm },
        ]
        return columns
    }()

    /// `alternatives.csv`.
    public static let alternativeColumns: [Column<Alternative>] = {
        var columns: [Column<Alternative>] = placeColumns("hromada") { $0.hromada }
        columns.append(.integer("rank") { $0.rank })
        columns += placeColumns("partner") { $0.partner }
        columns += [.text("partner_country") { $0.partner.country },
                    .number("score", digits: 4) { $0.score }, .number("loss_at_least", digits: 4) { $0.lossAtLeast },
                    .text("held_by_id") { $0.heldBy.map(\.id).joined(separator: "; ") },
                    .text("held_by_name") { $0.heldBy.map(\.name).joined(separator: "; ") },
                    .text("held_by_name_latin") { $0.heldBy.map(\.nameLatin).joined(separator: "; ") }]
        return columns
    }()

    /// `unmatched.csv`.
    public static let unmatchedColumns: [Column<Unmatched>] =
        placeColumns("hromada") { (row: Unmatched) in row.hromada }
        + [.text("hromada_region") { $0.hromada.region }] + coordinateColumns("hromada") { (row: Unmatched) in row.hromada }
        + [.integer("wanted") { $0.wanted }, .integer("got") { $0.got }, .text("reason") { $0.reason }]

    /// The contact columns, only with `--contacts` (personal data from sign-ups).
    static let proposalContactColumns: [Column<Proposal>] = [.text("hromada_contacts") { $0.hromada.contacts },
                                                             .text("partner_contacts") { $0.partner.contacts }]

    public var proposalsTable: Table<Proposal> {
        Table(proposals, columns: Self.proposalColumns + (contacts ? Self.proposalContactColumns : []))
    }
    public var alternativesTable: Table<Alternative> {
        Table(alternatives, columns: Self.alternativeColumns + (contacts ? [.text("partner_contacts") { $0.partner.contacts }] : []))
    }
    public var unmatchedTable: Table<Unmatched> {
        Table(unmatched, columns: Self.unmatchedColumns + (contacts ? [.text("hromada_contacts") { $0.hromada.contacts }] : []))
    }

    /// `proposals.json`: the three tables, the summary and warnings, and what the run used.
    public func json() throws(OutputError) -> Data { try JSONOutput.encode(Document(self), pretty: false) }

    /// The files of the chosen formats, by name, rendered side by side: the JSON first and
    /// the report from it on one core (the report holds the JSON), the CSV files on the others.
    public func files(_ options: OutputOptions = OutputOptions()) throws(OutputError) -> [String: Data] {
        let collected = Collected()
        try files(options) { (name, data) throws(OutputError) in collected.add(name, data) }
        return collected.files
    }

    /// Renders the files `options` asks for and hands each to `emit` as soon as it is
    /// made (from the thread that made it): the JSON first and the report from it on one
    /// core, the CSV files on the other, so that the first files are written while the
    /// last render.
    public func files(_ options: OutputOptions, emit: OutputFolder.Emit) throws(OutputError) {
        try files(options) { (name, data) throws(OutputError) in try emit(name, data) }
    }

    private func files(_ options: OutputOptions, _ emit: @Sendable (String, Data) throws(OutputError) -> Void) throws(OutputError) {
        let html = options.formats.contains(.html)
        let chosen = ProposalFile.allCases.filter { $0 != .report && (options.formats.contains($0.format) || ($0 == .json && html)) }
            .sorted { ($0 == .json ? 0 : 1) < ($1 == .json ? 0 : 1) }
        var outcomes = [Result<Void, OutputError>?](repeating: nil, count: chosen.count)
        outcomes.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chosen.count) { k in
                shared[k] = Result { () throws(OutputError) in
                    let data = try render(chosen[k], excel: options.excel)
                    if chosen[k] != .json || options.formats.contains(.json) { try emit(chosen[k].rawValue, data) }
                    if chosen[k] == .json && html {
                        try emit(ProposalFile.report.rawValue, try HTMLReport.render(proposals: data, options: options.report))
                    }
                }
            }
        }
        for outcome in outcomes { try outcome!.get() }
    }

    /// Files handed over from several threads, gathered under a lock.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var files: [String: Data] = [:]
        func add(_ name: String, _ data: Data) { lock.withLock { files[name] = data } }
    }

    /// One file's bytes (the report is made from the JSON's, in ``files(_:)``).
    func render(_ file: ProposalFile, excel: Bool) throws(OutputError) -> Data {
        switch file {
        case .proposals: return Data(proposalsTable.csv(excelBOM: excel).utf8)
        case .alternatives: return Data(alternativesTable.csv(excelBOM: excel).utf8)
        case .unmatched: return Data(unmatchedTable.csv(excelBOM: excel).utf8)
        case .json, .report: return try json()
        case .workbook: return try workbook()
        }
    }

    /// `proposals.xlsx`: proposals, alternatives and unmatched as sheets (numbers as
    /// numbers, names in both scripts, header frozen and filtered), and a sheet saying
    /// what the run used and whom the data credit.
    public func workbook() throws(OutputError) -> Data {
        var about: [[Cell]] = [[.text("tool"), .text("twinning " + TwinningVersion.string)],
                               [.text("total score"), .number(summary.totalScore, digits: 6)],
                               [.text("proposals"), .integer(summary.proposals)]]
        about += inputs.sorted { $0.key < $1.key }.map { [.text("input: \($0.key)"), .text("\($0.value.path) (SHA-256 \($0.value.sha256))")] }
        for (key, value) in rules.recorded.sorted(by: { $0.key < $1.key }) {
            let shown = try String(decoding: JSONOutput.encode(value, pretty: false), as: UTF8.self).trimmingCharacters(in: .newlines)
            about.append([.text("rule: \(key)"), .text(shown)])
        }
        about += warnings.map { [.text("warning"), .text($0)] }
        if let attribution { about += attribution.split(separator: "\n").map { [.text("data"), .text(String($0))] } }
        return try XLSXWriter.workbook([proposalsTable.sheet("proposals"), alternativesTable.sheet("alternatives"),
                                        unmatchedTable.sheet("unmatched"),
                                        XLSXWriter.Sheet(name: "about", header: ["what", "value"], rows: about)])
    }

    /// The JSON form of the table. Keys are snake_case, spelled out in `CodingKeys`
    /// where a Swift name differs (see ``JSONOutput``).
    struct Document: Encodable {
        struct Summary: Encodable {
            let proposals: Int, hromadasSeeking: Int, alreadyPartnered: Int, candidatePartners: Int, totalScore: Double
            let unmatched: Int
            /// `volunteers`, or `all` (`--candidates all`: partners that did not sign up are proposed, to invite).
            let candidates: String
            enum CodingKeys: String, CodingKey {
                case proposals, hromadasSeeking = "hromadas_seeking", alreadyPartnered = "already_partnered"
                case candidatePartners = "candidate_partners", totalScore = "total_score", unmatched, candidates
            }
        }
        let schemaVersion: Int
        let toolVersion: String
        /// The score components, in order (their weights are in `weights`).
        let components: [String]
        let weights: [String: Double]
        let rules: [String: RecordedValue]
        let inputs: [String: InputRecord]
        let summary: Summary
        let warnings: [String]
        let proposals: TableRecords<Proposal>
        let alternatives: TableRecords<Alternative>
        let unmatched: TableRecords<Unmatched>
        /// What the sources of the inputs ask to be credited (`ATTRIBUTION.txt` beside them).
        let attribution: String?
        /// Each partner region named above (NUTS 3 code) → its most populous place.
        let regionLargestPlace: [String: String]

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version", toolVersion = "tool_version", components, weights, rules, inputs, summary, warnings
            case proposals, alternatives, unmatched, attribution, regionLargestPlace = "region_largest_place"
        }

        init(_ t: ProposalTable) {
            schemaVersion = ProposalTable.schemaVersion
            toolVersion = TwinningVersion.string
            components = ScoreComponent.allCases.map(\.rawValue)
            attribution = t.attribution
            weights = Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, t.weights[$0]) }
                                 + ScoreParameter.allCases.map { ($0.rawValue, t.weights[$0]) })
            rules = t.rules.recorded
            inputs = t.inputs
            summary = Summary(proposals: t.summary.proposals, hromadasSeeking: t.summary.hromadasSeeking,
                              alreadyPartnered: t.summary.alreadyPartnered, candidatePartners: t.summary.candidatePartners,
                              totalScore: JSONOutput.rounded(t.summary.totalScore, 6), unmatched: t.unmatched.count,
                              candidates: t.summary.candidates.rawValue)
            warnings = t.warnings
            proposals = t.proposalsTable.records
            alternatives = t.alternativesTable.records
            unmatched = t.unmatchedTable.records
            regionLargestPlace = t.regionLargestPlaces
        }
    }
}

/// The one way the tool writes JSON (through its JSON writer): keys sorted, so every JSON
/// the tool writes is valid and deterministic. Keys are snake_case; each document spells
/// them in its `CodingKeys` rather than converting Swift names (`JSONOutputTests` checks
/// that no key the tool writes is camelCase).
public enum JSONOutput {
    /// Encodes `value`, with a final line break; a number that is not finite (which JSON
    /// cannot hold) is an error.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws(OutputError) -> Data {
        do {
            var bytes = try JSONWriter.encode(value, pretty: pretty)
            bytes.append(0x0A)
            return Data(bytes)
        } catch {
            throw OutputError(.notRepresentable, path: "(JSON)", "a value cannot be written as JSON: \(error)")
        }
    }

    /// `x` rounded to `digits` decimals (written as the shortest text that reads back
    /// as that value), as outputs record measured values.
    public static func rounded(_ x: Double, _ digits: Int) -> Double {
        let scale = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8][min(max(digits, 0), 8)]
        let scaled = x * scale
        guard scaled.isFinite, abs(scaled) < 1e15 else { return x }
        return scaled.rounded() / scale
    }
}

extension ProposalTable {
    /// The pairs (hromada id, partner id) of a `proposals.json` this tool wrote.
    public static func readPairs(path: String) throws(InputErrors) -> [(hromada: String, partner: String)] {
        struct Document: Decodable {
            struct Pair: Decodable {
                let hromada: String, partner: String
                enum CodingKeys: String, CodingKey { case hromada = "hromada_id", partner = "partner_id" }
            }
            let proposals: [Pair]
        }
        let data = try InputFile.bytes(path: path)
        do {
            return try JSONDecoder().decode(Document.self, from: data).proposals.map { ($0.hromada, $0.partner) }
        } catch {
            throw InputErrors(InputError(.syntax, file: path, "is not a proposals.json written by twinning match (\(error))"))
        }
    }

    /// The input files a `proposals.json` records (role → path and SHA-256).
    public static func readInputs(path: String) throws(InputErrors) -> [String: InputRecord] {
        struct Document: Decodable { let inputs: [String: InputRecord] }
        let data = try InputFile.bytes(path: path)
        do { return try JSONDecoder().decode(Document.self, from: data).inputs } catch {
            throw InputErrors(InputError(.syntax, file: path, "is not a proposals.json written by twinning match (\(error))"))
        }
    }
}
