import ArgumentParser
import Foundation
import Twinning

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check input files and print every problem as file:line:column: message.",
        discussion: """
        Each file's kind is told from its content: need_ columns (or keys, in JSON) make a
        hromadas file, offer_ columns a partners file, ua_id,eu_id,status a ties file
        (checked against the hromadas and partners files given with it); a .yaml file is a
        weights or rules file (told apart by their keys). Every problem of every file is
        printed on stderr; exits 0 when all files are clean, 1 otherwise.

        Examples:
          twinning validate Data/hromadas.csv Data/partners.csv Data/ties.csv
          twinning validate my-weights.yaml
        """)

    @Argument(help: "Files to check.")
    var files: [String]

    enum Kind { case hromadas, partners, ties, weights, rules }

    func run() throws {
        var problems = 0
        func report(_ path: String, _ body: () throws -> String?) {
            do {
                if let summary = try body() { print("\(path): ok (\(summary))") }
            } catch let error as InputErrors {
                problems += error.errors.count
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            } catch {
                problems += 1
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            }
        }
        var kinds: [(String, Kind)] = []
        for path in files {
            report(path) { kinds.append((path, try Self.kind(of: path))); return nil }
        }
        var hromadas: Registry?, partners: Registry?
        for (path, kind) in kinds {
            switch kind {
            case .hromadas, .partners:
                report(path) {
                    let r = try Registry.load(path: path, side: kind == .hromadas ? .hromadas : .partners)
                    if kind == .hromadas { hromadas = r } else { partners = r }
                    return "\(r.side.rawValue), \(r.count) rows, \(r.sectors.count) sectors"
                }
            case .weights:
                report(path) {
                    let w = try Weights.load(path: path)
                    return "weights: needs \(w.needs), profile \(w.profile), size \(w.size), proximity \(w.proximity), ties \(w.ties)"
                }
            case .rules:
                report(path) {
                    let r = try Rules.load(path: path)
                    return "rules: min_score \(r.minScore), \(r.forbidden.count) forbidden, \(r.locked.count) locked, "
                        + "\(r.levels.count) level rules, \(r.caps.count) caps"
                }
            case .ties: continue
            }
        }
        for (path, kind) in kinds where kind == .ties {
            report(path) {
                guard let hromadas, let partners else {
                    throw InputErrors([InputError(file: (path as NSString).lastPathComponent, line: 0, column: 0,
                        message: "a ties file is checked against its hromadas and partners files: pass them too")])
                }
                let ties = try Ties.load(path: path, hromadas: hromadas, partners: partners)
                return "ties, \(ties.count) pairs"
            }
        }
        if problems > 0 {
            throw CleanExit.failure("\(problems) problem(s) in \(files.count) file(s)")
        }
    }

    /// What a file is, from its name and its first line or first JSON object.
    static func kind(of path: String) throws -> Kind {
        let name = (path as NSString).lastPathComponent
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            // Rules and weights share no key: the first top-level key tells them apart.
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let ruleKeys = ["min_score", "eu_members_only", "forbidden", "locked", "levels", "country_caps", "region_caps"]
            let firstKey = text.split(whereSeparator: \.isNewline)
                .first { !$0.hasPrefix("#") && !$0.hasPrefix(" ") && $0.contains(":") }
                .map { String($0.prefix { $0 != ":" }).trimmingCharacters(in: .whitespaces) }
            return ruleKeys.contains(firstKey ?? "") ? .rules : .weights
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "cannot read the file")])
        }
        let head = String(decoding: handle.readData(ofLength: 1 << 16), as: UTF8.self)
        try? handle.close()
        let columns: [String]
        if lower.hasSuffix(".json") {
            // Keys of the first object: enough to tell the kind without parsing everything.
            let firstObject = head.drop { $0 != "{" }.prefix { $0 != "}" }
            columns = firstObject.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        } else {
            let header = head.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            columns = header.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\u{FEFF}")) }
        }
        if columns.contains(where: { $0.hasPrefix("need_") }) { return .hromadas }
        if columns.contains(where: { $0.hasPrefix("offer_") }) { return .partners }
        if ["ua_id", "eu_id", "status"].allSatisfy(columns.contains) { return .ties }
        throw InputErrors([InputError(file: name, line: 1, column: 0,
            message: "cannot tell what this file is: expected need_ columns (hromadas), offer_ columns (partners), "
                + "ua_id,eu_id,status (ties) or a .yaml weights file")])
    }
}
