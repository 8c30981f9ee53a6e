import ArgumentParser
import Foundation
import Twinning

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check input files and print every problem as file:line:column: message.",
        discussion: """
        Each file's kind is told from its content: a CSV with need_ columns is a hromadas
        file, with offer_ columns a partners file; a YAML file is a weights file. Exits 0
        when every file is clean, 1 otherwise.

        Examples:
          twinning validate Data/hromadas.csv Data/partners.csv
          twinning validate my-weights.yaml
        """)

    @Argument(help: "Files to check.")
    var files: [String]

    func run() throws {
        var problems = 0
        for path in files {
            do {
                let summary = try check(path)
                print("\(path): ok (\(summary))")
            } catch let error as InputErrors {
                problems += error.errors.count
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            }
        }
        if problems > 0 {
            throw CleanExit.failure("\(problems) problem(s) in \(files.count) file(s)")
        }
    }

    private func check(_ path: String) throws -> String {
        let name = (path as NSString).lastPathComponent
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
            let w = try Weights.load(path: path)
            return "weights: needs \(w.needs), profile \(w.profile), size \(w.size), proximity \(w.proximity), ties \(w.ties)"
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "cannot read the file")])
        }
        let head = String(decoding: handle.readData(ofLength: 65536), as: UTF8.self)
        try? handle.close()
        let header = head.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let side: Side
        if columns.contains(where: { $0.hasPrefix("need_") }) {
            side = .hromadas
        } else if columns.contains(where: { $0.hasPrefix("offer_") }) {
            side = .partners
        } else {
            throw InputErrors([InputError(file: name, line: 1, column: 0,
                message: "cannot tell what this file is: expected need_ columns (hromadas), offer_ columns (partners) or a .yaml weights file")])
        }
        let r = try Registry.load(path: path, side: side)
        return "\(side.rawValue), \(r.count) rows, \(r.sectors.count) sectors"
    }
}
