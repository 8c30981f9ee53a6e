import Foundation
import TwinningInput
import TwinningScoring
import TwinningShared

/// Everything a matching reads, checked and resolved: registries, ties, rules, weights,
/// and the restrictions compiled from them.
public struct LoadedInputs: Sendable {
    public let paths: InputPaths
    public let hromadas: Registry
    public let partners: Registry
    public let ties: [Tie]
    public let rules: Rules
    public let weights: Weights
    public let restrictions: Restrictions
    /// Role → SHA-256 (lowercase hex, as `sha256sum` prints it) of every file read.
    public let digests: [String: String]

    /// The `ATTRIBUTION.txt` files beside the registries and ties (each once, in that
    /// order): what their sources ask to be credited in anything made from them.
    public var attribution: String? {
        var seen = Set<String>(), texts: [String] = []
        for path in [paths.hromadas, paths.partners, paths.ties].compactMap({ $0 }) {
            let file = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("ATTRIBUTION.txt")
            guard seen.insert(file).inserted, let data = FileManager.default.contents(atPath: file),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
            else { continue }
            texts.append(text)
        }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    /// Role → path and SHA-256 of every input file, as outputs record them.
    public var recorded: [String: InputRecord] {
        paths.byRole.reduce(into: [:]) { out, entry in out[entry.key] = InputRecord(path: entry.value, sha256: digests[entry.key] ?? "") }
    }
    /// Seconds spent reading and checking.
    public let seconds: Double

    /// Reads every file once and reports every problem of every file together. Each
    /// file's SHA-256 is taken from the very bytes that were parsed.
    public static func load(_ paths: InputPaths) throws(InputErrors) -> LoadedInputs {
        let start = Date()
        var c = ProblemCollector()
        var digests: [String: Background<String>] = [:]
        /// Parses a file's bytes while another core hashes them.
        func parsed<T>(_ role: String, _ path: String, _ parse: (FileBytes) throws(InputErrors) -> T) -> T? {
            guard let contents = c.attempt({ () throws(InputErrors) in try InputFile.contents(path: path) }) else { return nil }
            digests[role] = Background { Digest.sha256(contents.data) }
            return c.attempt { () throws(InputErrors) in try parse(contents) }
        }
        var h = parsed("hromadas", paths.hromadas) { (d) throws(InputErrors) in try Registry.parse(d, path: paths.hromadas, side: .hromadas) }
        var p = parsed("partners", paths.partners) { (d) throws(InputErrors) in try Registry.parse(d, path: paths.partners, side: .partners) }
        // Each overlay over the registry its columns name (partners: volunteer; hromadas: seeking).
        for (k, path) in paths.signups.enumerated() {
            guard let table = parsed(InputPaths.signupsRole(k), path, { (d) throws(InputErrors) in try CSVTable.parse(d, file: path) }) else { continue }
            switch SignupOverlay.side(of: table) {
            case .partners?:
                if let registry = p { p = c.attempt { () throws(InputErrors) in try SignupOverlay.apply(table, to: registry) } }
            case .hromadas?:
                if let registry = h { h = c.attempt { () throws(InputErrors) in try SignupOverlay.apply(table, to: registry) } }
            case nil:
                c.add(InputError(.missing, file: path, line: 1,
                                 "is not a sign-ups overlay (no volunteer or seeking column): give the partners.csv or hromadas.csv that twinning intake writes"))
            }
        }
        let rules = paths.rules.map { path in
            parsed("rules", path) { (d) throws(InputErrors) in try Rules.parse(InputFile.text(d.data, file: path), file: path) }
        } ?? Rules()
        let weights = paths.weights.map { path in
            parsed("weights", path) { (d) throws(InputErrors) in try Weights.parse(InputFile.text(d.data, file: path), file: path) }
        } ?? .defaults
        var ties: [Tie]? = []
        if let path = paths.ties, let h, let p {
            ties = parsed("ties", path) { (d) throws(InputErrors) in try Ties.parse(d, file: path, hromadas: h, partners: p) }
        }
        var restrictions: Restrictions?
        if let h, let p, let ties, let rules {
            restrictions = c.attempt { () throws(InputErrors) in try Restrictions(rules: rules, ties: ties, hromadas: h, partners: p) }
        }
        try c.finish()
        return LoadedInputs(paths: paths, hromadas: h!, partners: p!, ties: ties!, rules: rules!, weights: weights!,
                            restrictions: restrictions!, digests: digests.mapValues { $0.wait() }, seconds: Date().timeIntervalSince(start))
    }

    init(paths: InputPaths, hromadas: Registry, partners: Registry, ties: [Tie], rules: Rules, weights: Weights,
         restrictions: Restrictions, digests: [String: String], seconds: Double) {
        self.paths = paths; self.hromadas = hromadas; self.partners = partners; self.ties = ties
        self.rules = rules; self.weights = weights; self.restrictions = restrictions; self.digests = digests; self.seconds = seconds
    }

    /// The same inputs with other ties (a night's decisions applied) or other rules (a
    /// batch scenario's): the restrictions are compiled again.
    public func with(ties: [Tie]? = nil, rules: Rules? = nil) throws(InputErrors) -> LoadedInputs {
        let t = ties ?? self.ties, r = rules ?? self.rules
        let restrictions = try Restrictions(rules: r, ties: t, hromadas: hromadas, partners: partners)
        var p = paths
        if let file = r.file { p.rules = file }
        return LoadedInputs(paths: p, hromadas: hromadas, partners: partners, ties: t, rules: r,
                            weights: weights, restrictions: restrictions, digests: digests, seconds: seconds)
    }

    /// The same inputs with other weights.
    public func with(weights: Weights, file: String? = nil) -> LoadedInputs {
        var p = paths
        if let file { p.weights = file }
        return LoadedInputs(paths: p, hromadas: hromadas, partners: partners, ties: ties, rules: rules,
                            weights: weights, restrictions: restrictions, digests: digests, seconds: seconds)
    }

    /// The matching these inputs describe.
    public func instance(candidates: CandidatePool = .volunteers, incumbents: Set<IndexPair> = [],
                         incumbencyBonus: Double = 0) -> MatchInstance {
        MatchInstance(hromadas: hromadas, partners: partners, ties: ties, rules: rules, weights: weights,
                      restrictions: restrictions, pool: candidates, incumbents: incumbents, incumbencyBonus: incumbencyBonus)
    }
}

/// A value computed on another thread, waited for when it is needed.
final class Background<T: Sendable>: @unchecked Sendable {
    private var value: T?
    private let group = DispatchGroup()

    init(_ work: @escaping @Sendable () -> T) {
        DispatchQueue.global().async(group: group) { self.value = work() }
    }

    func wait() -> T {
        group.wait()
        return value!
    }
}
