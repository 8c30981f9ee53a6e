import ArgumentParser
import Foundation
import Twinning
import TwinningIntake

struct Intake: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a sign-up form's export into a sign-ups overlay for matching.",
        subcommands: [Partners.self, Hromadas.self, Template.self])

    struct Hromadas: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve hromadas' requests (a form export) to the hromadas' registry and write the overlay.",
            discussion: """
            As `intake partners`, for the Ukrainian side: MAPPING names the hromada's column, optionally the oblast \
            (region, a hint), a code (the registry id), the slots (partners wanted in all), a seeking column (yes/no: \
            whether it seeks partners now) and `needs` per sector. Names are compared in Ukrainian or in Latin \
            letters, with words such as "сільська територіальна громада", "міська ТГ", "hromada" set aside. \
            DIR/hromadas.csv is the overlay: `twinning match --signups DIR/hromadas.csv` sets those hromadas' \
            seeking, slots and needs.

            Example:
              twinning intake hromadas requests.xlsx --mapping requests-mapping.yaml --out requests
            """)

        @OptionGroup var options: IntakeOptions

        @Option(help: ArgumentHelp("Hromadas registry.", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
        var hromadas = "Data/hromadas.csv"

        func run() throws { try options.run(registry: hromadas, side: .hromadas) }
    }

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a blank sign-up sheet (XLSX and CSV) for partners or hromadas, and the mapping that reads it back.",
            discussion: """
            The sheet has English and Ukrainian headings. For partners: the municipality or region, its country, \
            its LAU or NUTS code and NUTS 3 region if known, how many partners it can take, one column per sector \
            (its offer) with a drop-down of levels (none, some, strong), and contact columns. For hromadas: the \
            hromada, its oblast, partners wanted in all, whether it seeks partners now (так/ні), one column per \
            sector (its need) and contacts. A filled sheet goes through \
            `twinning intake SIDE SHEET --mapping DIR/SIDE-mapping.yaml` as it is.

            Examples:
              twinning intake template --out sign-up
              twinning intake template --side hromadas --out requests-form
            """)

        @Option(help: ArgumentHelp("Output folder; must not exist yet.", valueName: "folder"), completion: .directory)
        var out: String

        @Option(help: "Whose sheet: partners (offers) or hromadas (needs).")
        var side: TemplateSide = .partners

        enum TemplateSide: String, ExpressibleByArgument, CaseIterable { case partners, hromadas }

        func run() throws {
            try OutputFolder.checkAvailable(out)
            let template = SignupTemplate(side: side == .partners ? .partners : .hromadas), stem = template.stem
            let mapping = "\(side.rawValue)-mapping.yaml"
            let files = ["\(stem).xlsx": try template.workbook(), "\(stem).csv": Data(template.csv.utf8), mapping: Data(template.mapping.utf8)]
            try OutputFolder.write(files, to: out)
            print("written \(out)/\(stem).xlsx, \(out)/\(stem).csv and \(out)/\(mapping)")
        }
    }

    struct Partners: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve European sign-ups (a form export) to the partners' registry and write the overlay.",
            discussion: """
            EXPORT is what a form tool gives: an XLSX workbook (its first sheet, or --sheet), or CSV separated by \
            commas, semicolons or tabs, UTF-8 (with or without a BOM) or UTF-16 with a BOM (Excel's "Unicode text"). MAPPING (YAML) says which column holds the name, \
            the country, and optionally a LAU or NUTS code, a region hint, the slots, the offers per sector and \
            columns to keep (see the README).

            Each row is resolved to one registry place: by its code when given, else by its name in that country \
            (any script, case, diacritics, apostrophes and words such as Gmina, Stadt, Comune di, Municipality of \
            set aside; English names of large cities), the region hint telling places of one name apart. A name \
            that fits several places is ambiguous and never guessed. DIR/resolution.csv has one row per export row \
            with its status (resolved, ambiguous, unresolved, duplicate) and, for the rows to settle, the closest \
            places: fill in their id and run again with --resolved DIR/resolution.csv. DIR/partners.csv is the \
            overlay: `twinning match --signups DIR/partners.csv` makes those partners volunteers with their slots \
            and offers. Kept columns (personal data) go into the overlay only.

            Examples:
              twinning intake partners examples/signups/partners-export.csv --mapping examples/signups/partners-mapping.yaml --out signups
              twinning intake partners export.csv --mapping map.yaml --out signups-2 --resolved signups/resolution.csv
            """)

        @OptionGroup var options: IntakeOptions

        @Option(help: ArgumentHelp("Partners registry.", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
        var partners = "Data/partners.csv"

        func run() throws { try options.run(registry: partners, side: .partners) }
    }
}

/// What both sides of `intake` take: the export, its mapping, where to write, and a
/// person's choices from an earlier run.
struct IntakeOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The form export (XLSX or CSV).", valueName: "export"), completion: .file(extensions: ["xlsx", "csv", "txt"]))
    var export: String

    @Option(help: ArgumentHelp("Which column holds what (YAML).", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var mapping: String

    @Option(help: ArgumentHelp("Output folder; must not exist yet.", valueName: "folder"), completion: .directory)
    var out: String

    @Option(help: ArgumentHelp("The sheet of an XLSX export to read (default: the first).", valueName: "name"))
    var sheet: String?

    @Option(help: ArgumentHelp("A resolution.csv with ids filled in by a person for the rows intake could not settle.", valueName: "file"),
            completion: .file(extensions: ["csv"]))
    var resolved: String?

    func run(registry path: String, side: Side) throws {
        try OutputFolder.checkAvailable(out)
        var c = ProblemCollector()
        let table = c.attempt { () throws(InputErrors) in
            let contents = try InputFile.contents(path: export)
            return Workbook.isZIP(contents.data)
                ? try CSVTable.parse(Workbook.csv(contents.data, file: export, sheet: sheet), file: export)
                : try CSVTable.parse(contents, file: export)
        }
        let map = c.attempt { () throws(InputErrors) in try IntakeMapping.load(path: mapping) }
        let registry = c.attempt { () throws(InputErrors) in try Registry.load(path: path, side: side) }
        try c.finish()
        let chosen = try resolved.map { path in try SignupIntake.chosen(in: path, export: table!, mapping: map!) } ?? [:]
        let intake = try SignupIntake.run(export: table!, mapping: map!, index: PlaceIndex(registry!), chosen: chosen)
        try OutputFolder.write(["resolution.csv": Data(intake.resolutionCSV.utf8), intake.overlayName: Data(intake.overlayCSV.utf8)], to: out)
        let counts = intake.counts
        print("\(intake.rows.count) sign-ups: " + SignupIntake.Status.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
        print("written \(out)/\(intake.overlayName) (\(intake.signUps.count) \(side.rawValue)) and \(out)/resolution.csv")
        let open = (counts[.ambiguous] ?? 0) + (counts[.unresolved] ?? 0)
        if open > 0 {
            print("\(open) to settle: fill in their id in \(out)/resolution.csv, then run again with --resolved \(out)/resolution.csv")
        }
    }
}
