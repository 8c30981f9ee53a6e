import ArgumentParser
import Foundation
import Twinning
import TwinningBatch

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check input files and print every problem as file:line:column: message.",
        discussion: """
        Each file's kind is told from its content: need_ columns (or keys, in JSON) make a hromadas file, offer_ \
        columns a partners file, ua_id,eu_id,status a ties file (checked against the hromadas and partners files \
        given with it); a YAML file is a weights, rules or job file, told apart by its keys. Every problem of every \
        file is printed on stderr; exits 0 when all files are clean, 66 when the only problems are files that cannot be read, 65 otherwise.

        Examples:
          twinning validate Data/hromadas.csv Data/partners.csv Data/ties.csv
          twinning validate my-weights.yaml rules.yaml
        """)

    @Argument(help: ArgumentHelp("Files to check.", valueName: "file"), completion: .file())
    var files: [String]

    enum Kind { case hromadas, partners, ties, weights, rules, job }

    func run() throws {
        var problems = ProblemCollector()
        var kinds: [(String, Kind)] = []
        for path in files {
            if let kind = problems.attempt({ () throws(InputErrors) in try Self.kind(of: path) }) { kinds.append((path, kind)) }
        }
        var registries: [Side: Registry] = [:]
        for (path, kind) in kinds {
            let summary: String?
            switch kind {
            case .hromadas, .partners:
                let side: Side = kind == .hromadas ? .hromadas : .partners
                summary = problems.attempt { () throws(InputErrors) in
                    let r = try Registry.load(path: path, side: side)
                    registries[side] = r
                    return "\(side.rawValue), \(r.count) rows, \(r.sectors.count) sectors"
                }
            case .weights:
                summary = problems.attempt { () throws(InputErrors) in
                    let w = try Weights.load(path: path)
                    return "weights: " + ScoreComponent.allCases.map { "\($0.rawValue) \(w[$0])" }.joined(separator: ", ")
                }
            case .job:
                summary = problems.attempt { () throws(InputErrors) in
                    let j = try Job.load(path: path)
                    return "job: \(j.scenarios.count) scenario(s), store \(j.store)"
                }
            case .ties, .rules: continue
            }
            if let summary { print("\(path): ok (\(summary))") }
        }
        for (path, kind) in kinds where kind == .ties {
            let summary = problems.attempt { () throws(InputErrors) in
                guard let h = registries[.hromadas], let p = registries[.partners] else {
                    throw InputErrors(InputError(.missing, file: path,
                        "a ties file is checked against its hromadas and partners files: pass them too"))
                }
                return "ties, \(try Ties.load(path: path, hromadas: h, partners: p).count) pairs"
            }
            if let summary { print("\(path): ok (\(summary))") }
        }
        // Rules name ids, oblasts, statuses and countries: checked against the registries
        // when they are given too.
        for (path, kind) in kinds where kind == .rules {
            let summary = problems.attempt { () throws(InputErrors) in
                let r = try Rules.load(path: path)
                var checked = ""
                if let h = registries[.hromadas], let p = registries[.partners] {
                    _ = try Restrictions(rules: r, ties: [], hromadas: h, partners: p)
                } else {
                    checked = "; ids and names not checked: pass the hromadas and partners files too"
                }
                return "rules: " + (r.rules.isEmpty ? "none" : r.rules.map { type(of: $0).key }.joined(separator: ", ")) + checked
            }
            if let summary { print("\(path): ok (\(summary))") }
        }
        if !problems.errors.isEmpty {
            FileHandle.standardError.write(Data((problems.errors.map(\.description).joined(separator: "\n") + "\n").utf8))
            throw Failure("\(problems.errors.count) problem(s) in \(Set(problems.errors.map(\.file)).count) file(s)",
                          problems.errors.allSatisfy { $0.code == .unreadable } ? .noInput : .badInput)
        }
    }

    /// What a file is, from its name and its header, first JSON object or YAML keys.
    static func kind(of path: String) throws(InputErrors) -> Kind {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            let root = try YAMLReader.load(path: path)
            let keys = Set(root?.mapping?.keys.compactMap(\.string) ?? [])
            if !keys.isDisjoint(with: Rules.keys) { return .rules }
            if !keys.isDisjoint(with: Job.keys) { return .job }
            return .weights
        }
        let data = try InputFile.bytes(path: path)
        let columns: [String]
        if lower.hasSuffix(".json") {
            let first = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
            columns = first?.first.map { Array($0.keys) } ?? []
        } else {
            // A file that is not readable CSV says so, with its line and column, as `match` would.
            columns = try CSVTable.parse(data, file: path).header
        }
        if columns.contains(where: { $0.hasPrefix(Side.hromadas.sectorPrefix) }) { return .hromadas }
        if columns.contains(where: { $0.hasPrefix(Side.partners.sectorPrefix) }) { return .partners }
        if Ties.columns.allSatisfy(columns.contains) { return .ties }
        throw InputErrors(InputError(.missing, file: path, line: 1,
            "cannot tell what this file is: expected need_ columns (hromadas), offer_ columns (partners), "
                + "\(Ties.columns.joined(separator: ",")) (ties), or a YAML weights, rules or job file"))
    }
}
