import Foundation
import TwinningShared
import TwinningInput

/// The partners' registry looked up as sign-ups name places: by id or code, and by
/// country and ``NameKey`` of the name in its own script, in Latin letters and without
/// what follows a comma (`München, Landeshauptstadt`), plus English exonyms.
public struct PlaceIndex: Sendable {
    public let registry: Registry
    /// `country|key` → rows, in registry order.
    let byKey: [String: [Int]]
    /// Per country, per first letter of a key: the keys (for suggestions).
    let keysByInitial: [String: [Character: [String]]]
    let byID: [String: Int]

    public init(_ registry: Registry) {
        self.registry = registry
        // Each row's keys, the rows shared between the cores; then one dictionary in row order.
        var keysOf = [[String]](repeating: [], count: registry.count)
        keysOf.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer), n = registry.count, threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in (n * t / threads)..<(n * (t + 1) / threads) {
                    var keys = Set<String>()
                    for name in Set([registry.names[i], registry.latinNames[i]]) {
                        keys.insert(NameKey.key(name))
                        if let comma = name.firstIndex(of: ",") { keys.insert(NameKey.key(String(name[..<comma]))) }
                    }
                    shared[i] = keys.filter { !$0.isEmpty }.sorted().map { "\(registry.countries[i])|\($0)" }
                }
            }
        }
        var byKey: [String: [Int]] = [:]
        for (i, keys) in keysOf.enumerated() { for key in keys { byKey[key, default: []].append(i) } }
        self.byKey = byKey
        var initials: [String: [Character: [String]]] = [:]
        for key in byKey.keys.sorted() {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, let first = parts[1].first else { continue }
            initials[parts[0], default: [:]][first, default: []].append(parts[1])
        }
        keysByInitial = initials
        byID = registry.index()
    }

    /// What a sign-up names: one row (and how it was found), several, or none (with the
    /// closest rows and why).
    public enum Match: Sendable, Equatable {
        case one(Int, how: String)
        case several([Int], why: String)
        case none(closest: [Int], why: String)
    }

    /// Finds the place a sign-up names in `country` (a registry code): by `code` when
    /// given (the registry id, or the code after the country's prefix), else by name, the
    /// `region` hint (a NUTS code or its start) telling places of one name apart.
    public func find(name: String, country: String, code: String? = nil, region: String? = nil) -> Match {
        var note = ""
        if let code, !code.isEmpty {
            let trimmed = code.trimmingCharacters(in: .whitespaces)
            if let i = byID[trimmed] ?? byID["\(country)_\(trimmed)"] {
                guard registry.countries[i] == country else {
                    return .none(closest: [i], why: "code \(trimmed) is \(registry.latinNames[i]) in \(registry.countries[i]), not in \(country)")
                }
                return .one(i, how: "by its code")
            }
            note = "code \(trimmed) is not in the registry; "
        }
        let key = NameKey.key(name)
        guard !key.isEmpty else { return .none(closest: [], why: note + "no name given") }
        var rows = byKey["\(country)|\(key)"] ?? []
        var how = "by name"
        for local in Exonyms.local(country: country, key: key) where rows.isEmpty {
            rows = byKey["\(country)|\(local)"] ?? []
            how = "by its English name"
        }
        rows = Array(Set(rows)).sorted()
        if rows.count > 1, let region, !region.isEmpty {
            // A NUTS code or its start (partners), an oblast's name (hromadas), as folded.
            let hint = NameKey.fold(region)
            let narrowed = rows.filter { NameKey.fold(registry.regions[$0]).hasPrefix(hint) || NameKey.fold(registry.nuts2[$0]).hasPrefix(hint) }
            if !narrowed.isEmpty && narrowed.count < rows.count {
                rows = narrowed
                how += " and region \(region)"
            }
        }
        switch rows.count {
        case 1: return .one(rows[0], how: how)
        case 0:
            return .none(closest: closest(to: key, country: country),
                         why: note + "no place in \(country) is called \"\(name.prefix(60))\"")
        default:
            let ranked = rows.sorted { (registry.populations[$0], -$0) > (registry.populations[$1], -$1) }
            return .several(ranked, why: note + "\(rows.count) places in \(country) are called \"\(name.prefix(60))\""
                            + (region.map { $0.isEmpty ? "" : " (region \($0) does not tell them apart)" } ?? "")
                            + ": give the code or the region")
        }
    }

    /// Rows whose keys are closest to `key` in the country (same initial), best first.
    func closest(to key: String, country: String) -> [Int] {
        guard let first = key.first, let keys = keysByInitial[country]?[first] else { return [] }
        var seen = Set<Int>()
        return Suggestions.closest(to: key, among: keys, limit: 6).flatMap { byKey["\(country)|\($0)"] ?? [] }
            .filter { seen.insert($0).inserted }.prefix(3).map { $0 }
    }
}
