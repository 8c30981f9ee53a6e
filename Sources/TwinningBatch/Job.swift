import Foundation
import Twinning
import Yams

/// A nightly job (YAML): inputs, store, output folder and scenarios. Paths are relative
/// to the job file.
///
/// ```yaml
/// hromadas: Data/hromadas.csv
/// partners: Data/partners.csv
/// ties: Data/ties.csv
/// signups: [signups/partners.csv]  # optional: overlays of `twinning intake` (a path or a list)
/// store: nightly/store.sqlite
/// output: nightly
/// scenarios:
///   - name: default
///     incumbency_bonus: 0.02
///   - name: near
///     weights: near-weights.yaml
///     rules: rules.yaml
/// ```
public struct Job: Sendable {
    public struct Scenario: Sendable {
        public let name: String
        public let weights: String?
        public let rules: String?
        public let incumbencyBonus: Double

        /// Every key a scenario may have.
        public static let keys = ["name", "weights", "rules", "incumbency_bonus"]
    }

    /// Every top-level key a job file may have.
    public static let keys = ["hromadas", "partners", "ties", "signups", "store", "output", "scenarios"]

    public let file: String
    public let hromadas: String
    public let partners: String
    public let ties: String?
    /// The sign-ups overlays laid over the registries.
    public let signups: [String]
    public let store: String
    public let output: String
    public let scenarios: [Scenario]

    /// The inputs every scenario shares.
    public var inputs: InputPaths { InputPaths(hromadas: hromadas, partners: partners, ties: ties, signups: signups) }

    public static func load(path: String) throws(InputErrors) -> Job {
        try parse(InputFile.text(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> Job {
        let root = try YAMLReader.parse(text, file: file)
        var reader = YAMLReader(file: file)
        // A path in a job file is relative to the job file; it is kept as the user would
        // write it from here (the job's folder joined lexically), not made absolute.
        let base = (file as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : joined(base, p) }
        var values: [String: String] = [:]
        var scenarios: [Scenario] = []
        var scenariosGiven = false
        var signups: [String] = []
        for (key, _, value) in reader.entries(root, keys: keys, what: "job") {
            if key == "scenarios" {
                scenariosGiven = true
                scenarios = parseScenarios(value, reader: &reader, resolve: resolve)
            } else if key == "signups" {
                let paths = value.sequence.map(Array.init) ?? [value]
                signups = paths.compactMap { reader.string($0, "signups", expected: "a path or a list of paths").map(resolve) }
            } else if let s = reader.string(value, key, expected: "a path") {
                values[key] = resolve(s)
            }
        }
        if root == nil { reader.fail(line: 0, .missing, "is empty; expected \(keys.joined(separator: ", "))") }
        for key in ["hromadas", "partners", "store", "output"] where values[key] == nil && root != nil {
            if !reader.errors.contains(where: { $0.message.hasPrefix(key + " must") }) {
                reader.fail(line: 0, .missing, "missing \(key); a job file needs hromadas, partners, store, output and scenarios")
            }
        }
        if !scenariosGiven && root != nil {
            reader.fail(line: 0, .missing, "missing scenarios; list at least one, such as - name: default")
        }
        try reader.finish()
        return Job(file: file, hromadas: values["hromadas"]!, partners: values["partners"]!, ties: values["ties"], signups: signups,
                   store: values["store"]!, output: values["output"]!, scenarios: scenarios)
    }

    private static func parseScenarios(_ value: Node, reader: inout YAMLReader, resolve: (String) -> String) -> [Scenario] {
        guard let items = reader.items(value, "scenarios", expected: "scenarios, each with a name"), !items.isEmpty else {
            if value.sequence?.isEmpty == true { reader.fail(value, .missing, "scenarios must list at least one scenario") }
            return []
        }
        var scenarios: [Scenario] = [], firstLine: [String: Int] = [:]
        for item in items {
            var name: String?, weights: String?, rules: String?, bonus = 0.0
            for (key, _, v) in reader.entries(item, keys: Scenario.keys, what: "scenario") {
                switch key {
                case "name":
                    guard let n = reader.string(v, "name", expected: "a name of letters, digits, - or _"),
                          n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                        if v.scalar?.string.isEmpty == false { reader.fail(v, .invalidValue, "a scenario name has letters, digits, - or _ only") }
                        continue
                    }
                    name = n
                case "weights": weights = reader.string(v, key, expected: "a path").map(resolve)
                case "rules": rules = reader.string(v, key, expected: "a path").map(resolve)
                default:
                    if let x = reader.number(v, key, in: 0...1, expected: "a number between 0 and 1") { bonus = x }
                }
            }
            guard let name else {
                if item.mapping != nil && item.mapping?["name"] == nil { reader.fail(item, .missing, "each scenario needs a name") }
                continue
            }
            if let first = firstLine[name] {
                reader.fail(item, .duplicate, "scenario \(name) is listed twice (first on line \(first)); names must be different")
                continue
            }
            firstLine[name] = item.mark?.line ?? 0
            scenarios.append(Scenario(name: name, weights: weights, rules: rules, incumbencyBonus: bonus))
        }
        return scenarios
    }

    /// `folder/path` with `.` and `..` resolved lexically (`jobs/../h.csv` → `h.csv`).
    static func joined(_ folder: String, _ path: String) -> String {
        var parts: [Substring] = []
        let absolute = folder.hasPrefix("/")
        for part in (folder + "/" + path).split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
