import ArgumentParser
import Foundation
import Twinning

struct Shortlist: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List each hromada's best allowed partners, for facilitators who offer a choice.",
        discussion: """
        The same rules, ties and volunteers as `match` apply (levels, forbidden pairs, min_likelihood, min_fit, partners the rules \
        leave out); slots and caps do not, since nothing is assigned. Without --hromada or --region, every hromada \
        seeking partners is listed.
        """)

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("A hromada by id or name (repeat for several).", valueName: "hromada"))
    var hromada: [String] = []

    @Option(help: ArgumentHelp("Every seeking hromada of an oblast, as in the hromadas file.", valueName: "oblast"))
    var region: String?

    @Option(help: ArgumentHelp("Partners per hromada.", valueName: "n"))
    var top = 5

    @Option(help: "Partners to consider: the volunteers, or every partner (with its slots).")
    var candidates: CandidatePool = .volunteers

    @Option(help: ArgumentHelp("Write the list to a CSV (or, by its .json suffix, JSON) file; it must not exist yet.",
                               valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var out: String?

    @Flag(help: "Write the CSV with a UTF-8 byte-order mark, so that Excel opened by double-click reads names correctly.")
    var excel = false

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be 1 or more") }
    }

    struct Row: Sendable {
        let hromada: ProposalTable.Place
        let rank: Int
        let partner: ProposalTable.Place
        let breakdown: Breakdown
    }

    static let columns: [Column<Row>] = {
        var columns: [Column<Row>] = [.text("hromada_id") { $0.hromada.id }, .text("hromada_name") { $0.hromada.name },
                                      .text("hromada_name_latin") { $0.hromada.nameLatin }, .text("hromada_region") { $0.hromada.region },
                                      .integer("rank") { $0.rank },
                                      .text("partner_id") { $0.partner.id }, .text("partner_name") { $0.partner.name },
                                      .text("partner_name_latin") { $0.partner.nameLatin }, .text("partner_country") { $0.partner.country },
                                      .number("partner_population", digits: 0) { $0.partner.population },
                                      .number("score", digits: 4) { $0.breakdown.score }]
        columns += ProposalTable.explanationColumns { $0.breakdown }
        columns += ScoreComponent.allCases.map { c in .number(c.rawValue, digits: 4) { $0.breakdown[c].value } }
        columns.append(.number("distance_km", digits: 1) { $0.breakdown.distanceKm })
        return columns
    }()

    func run() throws {
        if let out { try OutputFile.checkAvailable(out, replace: false, force: nil) }
        let loaded = try LoadedInputs.load(input.paths)
        let instance = loaded.instance(candidates: candidates)
        let h = loaded.hromadas, p = loaded.partners
        var chosen: [Int] = []
        let resolver = IDResolver(hromadas: h, partners: p)
        for name in hromada { chosen.append(try Explain.resolve(resolver.hromada(named: name))) }
        if let region {
            let regions = Set(h.regions)
            guard regions.contains(region) else {
                throw Failure("no hromada in \(h.file) is in oblast \"\(region)\"" + Suggestions.phrase(for: region, among: Array(regions)), .badInput)
            }
            chosen += instance.seeking.filter { h.regions[$0] == region }
        }
        if hromada.isEmpty && region == nil { chosen = instance.seeking }
        var seen = Set<Int>()
        chosen = chosen.filter { seen.insert($0).inserted }
        let lists = instance.shortlist(chosen, top: top)
        var rows: [Row] = []
        var text: [String] = []
        let model = instance.explainer(hromadas: chosen)
        for (row, (i, list)) in zip(chosen, lists).enumerated() {
            text.append("\(Explain.name(h, i)) (\(h.ids[i]), \(h.regions[i]))"
                        + (instance.restrictions.hromadaExclusions[i].map { ": takes no part in matching, \($0.reason)" } ?? ""))
            if list.isEmpty { text.append("  none: " + Explain.whyNone(i, instance)) }
            for (k, c) in list.enumerated() {
                let b = model.breakdown(hromada: row, partner: c.partner)
                rows.append(Row(hromada: ProposalTable.Place(h, i), rank: k + 1, partner: ProposalTable.Place(p, c.partner), breakdown: b))
                text.append("  \(k + 1). \(Explain.title(partner: c.partner, instance)) \(Decimals.fixed(b.score, 4)), "
                            + (b.fit.map { "fit \(Decimals.fixed($0, 2)), " } ?? "")
                            + "\(Decimals.fixed(b.distanceKm, 0)) km, population \(Explain.count(p.populations[c.partner]))")
            }
        }
        guard let out else {
            print(text.joined(separator: "\n"))
            return
        }
        let table = Table(rows, columns: Self.columns)
        let data = out.lowercased().hasSuffix(".json") ? try JSONOutput.encode(table.records) : Data(table.csv(excelBOM: excel).utf8)
        try OutputFile.write(data, to: out, replace: false, force: nil)
        print("\(rows.count) candidates of \(chosen.count) hromadas written to \(out)")
    }
}
