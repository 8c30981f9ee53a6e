import ArgumentParser
import Foundation
import Twinning

struct Match: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose partnerships that maximise the total score, exactly, and explain each.",
        discussion: """
        Every hromada seeking partners gets up to its slots (partners wanted in all: one with partners already gets \
        the difference; the seeking column says who signed up, and where it is empty a hromada seeks partners when \
        it has none), each partner taking part (volunteers, or all with --candidates all) takes up to its slots. \
        Existing and rejected pairs are never proposed, accepted and locked pairs always are (a lock exempts its own \
        pair from the rules, no other), pairs below the rules' min_likelihood or min_fit never are: a hromada may stay unmatched instead.

        Examples:
          twinning match
          twinning match --rules rules.yaml --out proposals-eu --format csv
          twinning match --format html --out for-coordinators
        """)

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("Output folder; must not exist yet (default: a new proposals, proposals-2, …).", valueName: "folder"), completion: .directory)
    var out: String?

    @Option(help: "What to write: csv (proposals, alternatives, unmatched), json (proposals.json), html (report.html), xlsx (proposals.xlsx), both (csv and json), all.")
    var format: FormatChoice = .all

    @Option(help: ArgumentHelp("Country outlines (GeoJSON) for the report's map (default: \(MapOutlines.fileName) beside the hromadas file).",
                               valueName: "file"), completion: .file(extensions: ["geojson", "json"]))
    var outlines: String?

    @Flag(help: "Write CSV files with a UTF-8 byte-order mark, so that Excel opened by double-click reads names correctly.")
    var excel = false

    @Flag(help: "Write the contact details of sign-ups (the overlays' kept columns) into the CSV, JSON and XLSX files: personal data, left out unless asked for.")
    var contacts = false

    @Option(help: ArgumentHelp("Alternatives to list for each proposal.", valueName: "k"))
    var alternatives = 3

    @Option(help: "Partners to consider: the volunteers, or every partner (with its slots).")
    var candidates: CandidatePool = .volunteers

    enum FormatChoice: String, ExpressibleByArgument, CaseIterable {
        case csv, json, html, xlsx, both, all
        var formats: Set<OutputFormat> {
            switch self {
            case .csv: return [.csv]
            case .json: return [.json]
            case .html: return [.html]
            case .xlsx: return [.xlsx]
            case .both: return [.csv, .json]
            case .all: return Set(OutputFormat.allCases)
            }
        }
    }

    func validate() throws {
        guard alternatives >= 0 else { throw ValidationError("--alternatives must be 0 or more") }
    }

    func run() throws {
        let started = Date()
        let folder = out ?? Self.freshFolder()
        try OutputFolder.checkAvailable(folder)
        let progress = Progress.shared
        progress.step("loading \(input.hromadas), \(input.partners)")
        let loaded = try LoadedInputs.load(input.paths)
        let report = format.formats.contains(.html)
            ? ReportOptions(outlines: try outlines.map { path throws(InputErrors) in try MapOutlines.load(path: path) } ?? MapOutlines.beside(input.hromadas))
            : ReportOptions()
        progress.step("scoring and solving")
        let instance = loaded.instance(candidates: candidates)
        let result = try Matcher.match(instance, alternatives: alternatives)
        progress.step("writing")
        let writeStart = Date()
        let table = ProposalTable(result: result, instance: instance, inputs: loaded.recorded, attribution: loaded.attribution, contacts: contacts)
        try OutputFolder.write(to: folder) { (emit) throws(OutputError) in
            try table.files(OutputOptions(formats: format.formats, excel: excel, report: report), emit: emit)
        }
        let written = Date().timeIntervalSince(writeStart)
        progress.finish()
        var warnings = result.warnings
        let page = (folder as NSString).appendingPathComponent(ProposalFile.report.rawValue)
        if let bytes = (try? FileManager.default.attributesOfItem(atPath: page))?[.size] as? Int, let big = HTMLReport.sizeWarning(bytes: bytes) {
            warnings.append(big)
        }
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        print(Self.summary(result, pool: candidates, folder: folder, seconds: Date().timeIntervalSince(started), load: loaded.seconds, write: written))
        // Everything is written: end the process here rather than free the inputs, scores
        // and tables piece by piece on the way out (several milliseconds of the run).
        Foundation.exit(0)
    }

    static func summary(_ result: MatchResult, pool: CandidatePool, folder: String, seconds: Double, load: Double, write: Double) -> String {
        let n = result.proposals.count
        var lines = ["proposed \(n) partnerships for \(result.seeking) hromadas seeking partners "
            + "(\(result.alreadyPartnered) already have one) among \(result.candidatePartners) \(pool == .volunteers ? "volunteer " : "")partners"]
        lines.append(String(format: "total score %.3f, mean %.3f", result.total, n > 0 ? result.total / Double(n) : 0))
        if !result.unmatched.isEmpty {
            var reasons: [String: Int] = [:]
            for u in result.unmatched { reasons[u.reason, default: 0] += 1 }
            lines.append("\(result.unmatched.count) hromadas not fully matched:")
            for (reason, count) in reasons.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
                lines.append("  \(count): \(reason)")
            }
        }
        let t = result.timings
        let f = { (x: Double) in Decimals.fixed(x, 2) + " s" }
        lines.append("written to \(folder) in \(f(seconds)): load \(f(load)), score \(f(t.scoring)), solve \(f(t.solving)), "
                     + "price-out \(f(t.pricing)) (\(t.pricingRounds) pass\(t.pricingRounds == 1 ? "" : "es"), \(t.pairsAdded) pairs added"
                     + (t.coldResolves > 0 ? ", the lists re-solved cold \(t.coldResolves) time\(t.coldResolves == 1 ? "" : "s")" : "") + "), "
                     + "write \(f(write))")
        return lines.joined(separator: "\n")
    }

    static func freshFolder() -> String {
        var name = "proposals", k = 2
        while FileManager.default.fileExists(atPath: name) { name = "proposals-\(k)"; k += 1 }
        return name
    }
}

extension CandidatePool: ExpressibleByArgument {}
