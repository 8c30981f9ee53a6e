import ArgumentParser
import Foundation
import Twinning
import TwinningBatch

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the HTML report of a match output folder or of a batch run.",
        discussion: """
        The report is one self-contained page (nothing is fetched from the network): a map of the proposals, \
        a card per proposal with each score component, a sortable and filterable table, the hromadas left short \
        and why, charts, and the inputs with their SHA-256. `match` writes it as report.html unless --format says \
        otherwise; this command makes it again for a folder written without it, or for a batch run.

        Examples:
          twinning report proposals
          twinning report --job nightly.yaml --run 3 --out run-3.html
        """)

    @Argument(help: ArgumentHelp("A folder `match` wrote (it holds proposals.json).", valueName: "folder"), completion: .directory)
    var folder: String?

    @OptionGroup var job: JobOption

    @Option(name: .customLong("run"), help: ArgumentHelp("A batch run of the job, by number (see `twinning batch history`).", valueName: "id"))
    var runID: Int64?

    @Option(help: ArgumentHelp("Where to write the page (default: report.html in the folder).", valueName: "file"), completion: .file())
    var out: String?

    @Flag(help: "Replace the page if it exists.")
    var force = false

    @Option(help: ArgumentHelp("Country outlines (GeoJSON) for the map (default: \(MapOutlines.fileName) beside the hromadas file the run read).",
                               valueName: "file"), completion: .file(extensions: ["geojson", "json"]))
    var outlines: String?

    func validate() throws {
        if folder != nil && runID != nil { throw ValidationError("give a folder or --run, not both") }
        if folder == nil && runID == nil { throw ValidationError("give a match output folder, or --run ID with --job FILE") }
    }

    func run() throws {
        var options = ReportOptions()
        let source: String
        if let folder {
            source = folder
        } else {
            let (j, store) = try job.store()
            guard let r = try store.run(runID!) else { throw Failure("no run \(runID!) in the store \(j.store)", .badInput) }
            guard r.status == .ok else { throw Failure("run \(r.id) is \(r.status.rawValue): it has no files to report on", .badInput) }
            source = j.output + "/" + r.folder
            options.date = r.startedAt
            options.title = "Batch run \(r.id), scenario \(r.scenario)"
            options.run = r.id
        }
        let target = out ?? (source as NSString).appendingPathComponent(ProposalFile.report.rawValue)
        try OutputFile.checkAvailable(target, replace: force)
        let proposals = try HTMLReport.proposals(in: source), hromadas = proposals.hromadas
        if let outlines {
            options.outlines = try MapOutlines.load(path: outlines)
        } else if let hromadas {
            options.outlines = try MapOutlines.beside(hromadas)
        }
        if options.outlines == nil {
            FileHandle.standardError.write(Data("warning: no country outlines found beside \(hromadas ?? "the inputs"): the map shows places only (give --outlines FILE)\n".utf8))
        }
        try OutputFile.write(HTMLReport.render(proposals, options: options), to: target, replace: force)
        print("written \(target)")
    }
}
