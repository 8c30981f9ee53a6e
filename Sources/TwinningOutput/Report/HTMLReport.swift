import Crypto
import Foundation
import Plot
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// Country outlines for the report's map: a GeoJSON FeatureCollection (the shipped
/// `Data/countries.geojson` is Natural Earth's, public domain).
public struct MapOutlines: Sendable {
    public let path: String
    let data: Data

    /// The name the outlines have beside the registries.
    public static let fileName = "countries.geojson"

    /// Reads and checks `path`.
    public static func load(path: String) throws(InputErrors) -> MapOutlines {
        let data = try InputFile.bytes(path: path)
        struct Collection: Decodable {
            struct Feature: Decodable {
                struct Geometry: Decodable { let type: String }
                let geometry: Geometry?
            }
            let type: String
            let features: [Feature]
        }
        let collection: Collection
        do { collection = try JSONDecoder().decode(Collection.self, from: data) } catch {
            throw InputErrors(InputError(.syntax, file: path, "is not GeoJSON: expected a FeatureCollection of country outlines (\(error))"))
        }
        guard collection.type == "FeatureCollection" else {
            throw InputErrors(InputError(.syntax, file: path, "is a GeoJSON \(collection.type), expected a FeatureCollection of country outlines"))
        }
        return MapOutlines(path: path, data: data)
    }

    /// `countries.geojson` in the folder of `file`, if there is one.
    public static func beside(_ file: String) throws(InputErrors) -> MapOutlines? {
        let path = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(fileName)
        return FileManager.default.fileExists(atPath: path) ? try load(path: path) : nil
    }
}

/// A `proposals.json` read and checked for the report (``HTMLReport/proposals(in:)``).
public struct ReportProposals: Sendable {
    /// The file's bytes (their SHA-256 keys the decisions made in the page).
    public let json: Data
    let source: ReportSource

    /// The hromadas file the proposals name, where country outlines may be found.
    public var hromadas: String? { source.inputs["hromadas"]?.path }
}

/// What the report says about itself beyond the proposal table.
public struct ReportOptions: Sendable {
    public var outlines: MapOutlines?
    /// When the proposals were made (a batch run's start), if known: a `match` run leaves
    /// it out so that the same inputs give the same bytes.
    public var date: String?
    /// A line under the heading (a batch run's scenario and number).
    public var title: String?
    /// The batch run the proposals are of, if any: decisions made in the page name it.
    public var run: Int64?

    public init(outlines: MapOutlines? = nil, date: String? = nil, title: String? = nil, run: Int64? = nil) {
        self.outlines = outlines
        self.date = date
        self.title = title
        self.run = run
    }
}

/// `report.html`: one self-contained page (no network: its Content-Security-Policy allows
/// nothing but its own script and style) with a map, a card per proposal, a sortable and
/// filterable table, the unmatched hromadas, charts and the provenance.
///
/// The page is a skeleton of fixed markup built with Plot, three JSON data islands and one
/// script that renders the data as text. The proposals island holds `proposals.json`'s
/// values in columns, each place and each repeated text once (`ReportData`): 5.4 MB
/// instead of 56 at 15,000 proposals, parsed in a fraction of the time; every `<`, `>` and
/// `&` in an island is written as a JSON `\u` escape, so no value can close the island or
/// open markup, and each island stays valid JSON. The table shows a page of rows at a time
/// (sorting and filtering work on indices), and a card reads its alternatives when it opens.
public enum HTMLReport {
    /// The size past which a report is slow to open, sort and filter (measured: at 27 MB,
    /// 14,027 proposals, data painted after 25 s and a sort taking 12 s).
    public static let comfortableBytes = 10_000_000

    /// What `match` says of a report of `bytes`, when it is past ``comfortableBytes``.
    public static func sizeWarning(bytes: Int) -> String? {
        guard bytes > comfortableBytes else { return nil }
        return "\(ProposalFile.report.rawValue) is \(Decimals.fixed(Double(bytes) / 1e6, 1)) MB, past the "
            + "\(comfortableBytes / 1_000_000) MB a browser opens comfortably: it will be slow to open, sort and filter; "
            + "narrow the run (rules, --alternatives 0) or read proposals.csv or proposals.xlsx"
    }

    /// The page for the `proposals.json` bytes `proposals`.
    public static func render(proposals: Data, options: ReportOptions = ReportOptions()) throws(OutputError) -> Data {
        let source: ReportSource
        do { source = try read(proposals, path: ProposalFile.json.rawValue) } catch {
            throw OutputError(.notRepresentable, path: ProposalFile.report.rawValue, "the proposals cannot be shown: \(error)")
        }
        return try render(ReportProposals(json: proposals, source: source), options: options)
    }

    /// The page for proposals read by ``proposals(in:)``.
    public static func render(_ proposals: ReportProposals, options: ReportOptions = ReportOptions()) throws(OutputError) -> Data {
        let data = try JSONOutput.encode(ReportData(proposals.source), pretty: false)
        // The proposals' SHA-256 keys the decisions a coordinator makes in the page (kept in
        // the browser for these very proposals) and goes into their export.
        // The countries' English names, shown next to their codes.
        struct Meta: Encodable {
            let date: String?, title: String?, run: Int64?, proposalsSHA256: String
            let countries: [String: String]
            enum CodingKeys: String, CodingKey { case date, title, run, proposalsSHA256 = "proposals_sha256", countries }
        }
        let meta = try JSONOutput.encode(Meta(date: options.date, title: options.title, run: options.run,
                                              proposalsSHA256: Digest.sha256(proposals.json),
                                              countries: Dictionary(uniqueKeysWithValues: CountryNames.names.keys.map { ($0, CountryNames.english($0)) })),
                                         pretty: false)
        let csp = ["default-src 'none'", "script-src '\(hash(script))'", "style-src '\(hash(style))'", "img-src data:",
                   "base-uri 'none'", "form-action 'none'"].joined(separator: "; ")
        let page = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.attribute(named: "http-equiv", value: "Content-Security-Policy"), .content(csp)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: "Twinning proposals"),
                .style(style)
            ),
            .body(
                header, mapSection, tableSection, unmatchedSection, chartsSection, footer,
                island("twinning-data", text: proposalsMark),
                island("twinning-outlines", options.outlines?.data ?? Data("null".utf8)),
                island("twinning-meta", meta),
                .script(.raw(script))
            )
        )
        // The proposals island is megabytes: Plot would copy it through several growing
        // strings (most of the report's time went to zeroing their fresh pages), so the
        // page is rendered with a mark in its place and the escaped JSON written there,
        // once. The mark holds a `<`, which no escaped island holds, and the fixed markup
        // holds it only there.
        let skeleton = Array(page.render().utf8), mark = Array(proposalsMark.utf8)
        guard let at = skeleton.indices.first(where: { skeleton[$0...].starts(with: mark) }) else {
            preconditionFailure("the report's skeleton lost the proposals island")
        }
        var out = [UInt8]()
        out.reserveCapacity(skeleton.count + data.count + data.count / 64)
        out += skeleton[..<at]
        escape(data, into: &out)
        out += skeleton[(at + mark.count)...]
        return Data(out)
    }

    /// Where the proposals island's JSON goes in the rendered skeleton.
    static let proposalsMark = "<!--twinning-proposals-->"

    /// The heading, the run, the summary and warnings (filled by the script).
    static var header: Node<HTML.BodyContext> {
        .header(
            .h1("Twinning proposals"),
            .p(.id("run-title"), .class("muted")),
            .p(.id("summary"), .class("summary")),
            .div(.id("warnings")),
            .noscript(.p("This report draws its map, table and charts with JavaScript: open it in a browser with scripts enabled."))
        )
    }

    /// The map and the card beside it.
    static var mapSection: Node<HTML.BodyContext> {
        .section(.id("map-section"),
            .h2("Map"),
            .div(.id("map-area"),
                .div(
                    .div(.class("map-wrap"),
                        .element(named: "svg", nodes: [.id("map"), .attribute(named: "role", value: "group"),
                                                       .attribute(named: "aria-label", value: "Map of the proposals: a line joins each hromada "
                                                           + "to its proposed partner; each line and place opens its card (Tab "
                                                           + "reaches the map, the arrow keys move between its lines and places, Enter "
                                                           + "opens). The table of proposals below lists the same pairs.")]),
                        .div(.class("map-controls"),
                            .button(.id("zoom-in"), .attribute(named: "title", value: "Zoom in"), .text("+")),
                            .button(.id("zoom-out"), .attribute(named: "title", value: "Zoom out"), .text("−")),
                            .button(.id("zoom-reset"), .attribute(named: "title", value: "Show everything"), .text("⤢")),
                            .button(.id("zoom-shown"), .attribute(named: "title", value: "Zoom to the proposals shown (the filter's)"),
                                    .attribute(named: "aria-label", value: "Zoom to the proposals shown"), .text("◎")))
                    ),
                    .div(.class("legend"),
                        .span(.span(.class("swatch hromada")), .text("hromada")),
                        .span(.span(.class("swatch partner")), .text("partner")),
                        .span(.span(.class("swatch unmatched")), .text("not fully matched")),
                        .span(.text("score "), .span(.id("score-low")), .text(" "),
                              .element(named: "svg", nodes: [.id("score-legend"), .attribute(named: "width", value: "120"),
                                                             .attribute(named: "height", value: "14")]),
                              .text(" "), .span(.id("score-high"))),
                        .span(.id("map-note"))
                    )
                ),
                .aside(.id("card"), .attribute(named: "aria-live", value: "polite"), .attribute(named: "aria-label", value: "The selected proposal"),
                       .p(.class("muted placeholder"), .text("Click a line, a place or a table row (or reach it with Tab and press Enter) to see why the pair scores what it does.")))
            )
        )
    }

    /// The filters and the table of proposals.
    static var tableSection: Node<HTML.BodyContext> {
        .section(.id("table-section"),
            .h2("Proposals"),
            .form(.id("filters"),
                .label(.text("oblast"), .select(.id("f-oblast"))),
                .label(.text("partner country"), .select(.id("f-country"))),
                .label(.text("score from"), .input(.id("f-min"), .type(.number), .attribute(named: "step", value: "0.01"),
                                                   .attribute(named: "min", value: "0"), .attribute(named: "max", value: "1"))),
                .label(.text("to"), .input(.id("f-max"), .type(.number), .attribute(named: "step", value: "0.01"),
                                           .attribute(named: "min", value: "0"), .attribute(named: "max", value: "1"))),
                .label(.text("status"), .select(.id("f-status"))),
                .label(.text("decision here"), .select(.id("f-decision"))),
                .label(.text("search by name or id"), .input(.id("f-search"), .type(.search))),
                .button(.id("f-clear"), .type(.button), .text("clear"))
            ),
            .p(.id("showing"), .class("muted")),
            .div(.id("decisions"),
                .h3("Decide here"),
                .p(.class("muted"), .text("Accept or reject on a proposal's card, or all the filtered proposals (every page) at once. Decisions stay in "
                    + "this browser for these proposals; export them and record them with twinning decide import FILE --job JOB.")),
                .label(.text("your name "), .input(.id("decided-by"), .type(.text), .attribute(named: "autocomplete", value: "name"))),
                .button(.id("accept-shown"), .type(.button), .text("accept all filtered")),
                .button(.id("reject-shown"), .type(.button), .text("reject all filtered")),
                .button(.id("clear-shown"), .type(.button), .text("undecide all filtered")),
                .a(.id("decisions-export"), .attribute(named: "download", value: "decisions.csv"), .href("#"), .text("export decisions (CSV)")),
                .span(.id("decisions-count"), .class("muted"))),
            .div(.class("table-scroll"),
                .table(.id("proposals"), .class("data"), .thead(.id("proposals-head")), .tbody(.id("proposals-body")))),
            .element(named: "nav", nodes: [.id("pager"), .attribute(named: "aria-label", value: "Pages of the proposals table"),
                .button(.id("page-first"), .type(.button), .text("first")),
                .button(.id("page-previous"), .type(.button), .text("previous")),
                .span(.id("page-status"), .attribute(named: "aria-live", value: "polite")),
                .button(.id("page-next"), .type(.button), .text("next")),
                .button(.id("page-last"), .type(.button), .text("last")),
                .label(.text("rows per page "), .select(.id("page-size")))])
        )
    }

    /// The hromadas left short.
    static var unmatchedSection: Node<HTML.BodyContext> {
        .section(.id("unmatched-section"),
            .h2("Hromadas not fully matched"),
            .p(.id("unmatched-note"), .class("muted")),
            .table(.id("unmatched-table"), .class("data"),
                .thead(.tr(.th("Hromada"), .th("Oblast"), .th(.class("num"), .text("wanted")), .th(.class("num"), .text("got")),
                           .th("Reason"))),
                .tbody(.id("unmatched-body")))
        )
    }

    /// The summary charts.
    static var chartsSection: Node<HTML.BodyContext> {
        .section(.id("charts-section"),
            .h2("Summary"),
            .div(.id("charts"),
                .element(named: "figure", nodes: [.element(named: "figcaption", text: "Scores of the proposals"), .div(.id("chart-scores"))]),
                .element(named: "figure", nodes: [.element(named: "figcaption", text: "Proposals per partner country"), .div(.id("chart-countries"))]),
                .element(named: "figure", nodes: [.element(named: "figcaption", text: "Proposals per oblast"), .div(.id("chart-oblasts"))]))
        )
    }

    /// Provenance: the run, inputs with SHA-256, weights, rules, sources.
    static var footer: Node<HTML.BodyContext> {
        .footer(.id("provenance"),
            .p(.id("made")),
            .h4("Inputs"), .div(.id("inputs")),
            .h4("Weights"), .div(.id("weights")),
            .h4("Rules"), .div(.id("rules")),
            .h4("Sources"), .p(.id("attribution"))
        )
    }

    /// `sha256-…` of a script or style, as a Content-Security-Policy source.
    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    /// A `<script type="application/json">` holding `json` with `<`, `>` and `&` escaped.
    static func island(_ id: String, _ json: Data) -> Node<HTML.BodyContext> { island(id, text: escaped(json)) }

    /// An island holding `text` as it is (escaped JSON, or a mark to put it in later).
    static func island(_ id: String, text: String) -> Node<HTML.BodyContext> {
        .element(named: "script", nodes: [.attribute(named: "type", value: "application/json"), .id(id), .raw(text)])
    }

    /// JSON text with `<`, `>` and `&` written as `\u003c`, `\u003e` and `\u0026`: the same
    /// JSON value (these characters occur only inside strings), and nothing an HTML parser
    /// could read as the end of the script.
    static func escaped(_ json: Data) -> String {
        var out = [UInt8]()
        out.reserveCapacity(json.count + json.count / 64)
        escape(json, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``escaped(_:)``, appended to `out`.
    static func escape(_ json: Data, into out: inout [UInt8]) {
        json.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var start = 0
            for (k, byte) in bytes.enumerated() where byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") {
                out += bytes[start..<k]
                start = k + 1
                out += (byte == UInt8(ascii: "<") ? #"\u003c"# : byte == UInt8(ascii: ">") ? #"\u003e"# : #"\u0026"#).utf8
            }
            out += bytes[start...]
        }
    }
}

extension HTMLReport {
    /// The `proposals.json` of a folder `match` or the batch wrote, checked to be one this
    /// version can show.
    public static func proposals(in folder: String) throws(InputErrors) -> ReportProposals {
        let path = (folder as NSString).appendingPathComponent(ProposalFile.json.rawValue)
        let data = try InputFile.bytes(path: path)
        let source = try read(data, path: path)
        if let (k, problem) = source.proposals.enumerated().lazy.compactMap({ k, row in row.outOfRange.map { (k, $0) } }).first {
            throw InputErrors(InputError(.invalidValue, file: path, "proposal \(k + 1) has \(problem): it is not a file twinning match "
                + "wrote (edited?); run match again"))
        }
        return ReportProposals(json: data, source: source)
    }

    /// `proposals.json`'s bytes as the page reads them, checked: the version and every key
    /// the page reads (``proposals(in:)`` checks the values of a file read back too: `match`
    /// renders the report from the bytes it has just made).
    static func read(_ data: Data, path: String) throws(InputErrors) -> ReportSource {
        let source: ReportSource
        do { source = try JSONDecoder().decode(ReportSource.self, from: data) } catch {
            throw InputErrors(InputError(.syntax, file: path, "is not a proposals.json written by twinning match (\(Self.describe(error)))"))
        }
        guard source.schemaVersion == ProposalTable.schemaVersion else {
            throw InputErrors(InputError(.invalidValue, file: path, "has files schema \(source.schemaVersion), this twinning reads "
                + "\(ProposalTable.schemaVersion): run match again with this version"))
        }
        return source
    }

    /// A decoding error as a user reads it: the key missing or mistyped, and where.
    static func describe(_ error: Error) -> String {
        func place(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "record \($0 + 1)" } ?? $0.stringValue }.joined(separator: ", ")
        }
        switch error as? DecodingError {
        case let .keyNotFound(key, context)?:
            return "no key \"\(key.stringValue)\"" + (context.codingPath.isEmpty ? "" : " in \(place(context.codingPath))")
        case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?:
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case let .dataCorrupted(context)?:
            return context.codingPath.isEmpty ? "not JSON" : "\(place(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
