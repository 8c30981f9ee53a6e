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
    }
    public let file: String
    public let hromadas: String
    public let partners: String
    public let ties: String?
    public let store: String
    public let output: String
    public let scenarios: [Scenario]

    public static func load(path: String) throws(InputErrors) -> Job {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "cannot read the job file")])
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardized.path }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "is not valid YAML: \(error)")])
        }
        guard let map = node?.mapping else {
            throw InputErrors([InputError(file: name, line: 0, column: 0, message: "expected a mapping with hromadas, partners, store, output, scenarios")])
        }
        var errors: [InputError] = []
        func string(_ key: String, required: Bool) -> String? {
            guard let v = map[key] else {
                if required { errors.append(InputError(file: name, line: 0, column: 0, message: "missing \(key)")) }
                return nil
            }
            guard let s = v.string else {
                errors.append(InputError(file: name, line: v.mark?.line ?? 0, column: v.mark?.column ?? 0, message: "\(key) must be a path"))
                return nil
            }
            return resolve(s)
        }
        let known: Set<String> = ["hromadas", "partners", "ties", "store", "output", "scenarios"]
        for (k, _) in map where !known.contains(k.string ?? "") {
            errors.append(InputError(file: name, line: k.mark?.line ?? 0, column: k.mark?.column ?? 0,
                                     message: "unknown key \"\(k.string ?? "")\"; expected \(known.sorted().joined(separator: ", "))"))
        }
        let h = string("hromadas", required: true), p = string("partners", required: true), t = string("ties", required: false)
        let store = string("store", required: true), output = string("output", required: true)
        var scenarios: [Scenario] = []
        if let list = map["scenarios"]?.sequence, !list.isEmpty {
            for item in list {
                guard let s = item.mapping, let n = s["name"]?.string, !n.isEmpty,
                      n.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                    errors.append(InputError(file: name, line: item.mark?.line ?? 0, column: item.mark?.column ?? 0,
                                             message: "each scenario needs a name of letters, digits, - or _"))
                    continue
                }
                var bonus = 0.0
                if let node = s["incumbency_bonus"] {
                    if let x = node.float { bonus = Double(x) } else if let k = node.int { bonus = Double(k) }
                }
                scenarios.append(Scenario(name: n, weights: s["weights"]?.string.map(resolve), rules: s["rules"]?.string.map(resolve),
                                          incumbencyBonus: bonus))
            }
            if Set(scenarios.map(\.name)).count != scenarios.count {
                errors.append(InputError(file: name, line: 0, column: 0, message: "scenario names must be different"))
            }
        } else {
            errors.append(InputError(file: name, line: 0, column: 0, message: "scenarios must list at least one scenario"))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return Job(file: path, hromadas: h!, partners: p!, ties: t, store: store!, output: output!, scenarios: scenarios)
    }
}
