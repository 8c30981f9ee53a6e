import TwinningShared

/// A hromada–partner pair by row indices into the hromadas and partners registries:
/// every pair inside the tool is one of these, resolved from ids once, on input.
public struct IndexPair: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hromada: Int
    public let partner: Int

    public init(_ hromada: Int, _ partner: Int) {
        self.hromada = hromada
        self.partner = partner
    }

    public static func < (a: IndexPair, b: IndexPair) -> Bool {
        (a.hromada, a.partner) < (b.hromada, b.partner)
    }

    public var description: String { "(\(hromada), \(partner))" }
}

/// Resolves ids that users write (in ties, rules and decisions) to registry rows, with a
/// message naming the file it was looked up in and the closest ids when it is unknown.
public struct IDResolver: Sendable {
    public enum Resolution: Sendable {
        case success(Int)
        case failure(String)
    }

    public let hromadas: Registry
    public let partners: Registry
    private let hromadaIndex: [String: Int]
    private let partnerIndex: [String: Int]

    public init(hromadas: Registry, partners: Registry) {
        self.hromadas = hromadas
        self.partners = partners
        hromadaIndex = hromadas.index()
        partnerIndex = partners.index()
    }

    /// With `suggest` an unknown id comes with the closest known ones (a scan of the
    /// registry: callers stop asking after the first few failures of a file).
    public func hromada(_ id: String, suggest: Bool = true) -> Resolution { resolve(id, hromadaIndex, hromadas, suggest) }
    public func partner(_ id: String, suggest: Bool = true) -> Resolution { resolve(id, partnerIndex, partners, suggest) }

    /// A hromada named by its id or its name, in either script; see the lookup below.
    public func hromada(named query: String) -> Resolution { find(query, in: hromadas, index: hromadaIndex) }
    /// A partner named by its id or its name, in either script; see the lookup below.
    public func partner(named query: String) -> Resolution { find(query, in: partners, index: partnerIndex) }

    /// A row named by its id, or by its name in its own script or in Latin letters (case
    /// and accents ignored). A name several rows share is refused with their ids; an
    /// unknown one comes with the closest names and ids.
    private func find(_ query: String, in registry: Registry, index: [String: Int]) -> Resolution {
        if let i = index[query] { return .success(i) }
        func fold(_ s: String) -> String { s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
        let wanted = fold(query)
        let found = (0..<registry.count).filter { fold(registry.latinNames[$0]) == wanted || fold(registry.names[$0]) == wanted }
        if found.count == 1 { return .success(found[0]) }
        let noun = registry.side.noun
        if found.count > 1 {
            let listed = found.prefix(6).map { "\(registry.ids[$0]) (\(registry.latinNames[$0]), \(registry.regions[$0]))" }
            return .failure("\"\(query.prefix(40))\" names \(found.count) \(noun)s in \(registry.file): \(listed.joined(separator: ", "))"
                            + (found.count > 6 ? ", …" : "") + "; give the id")
        }
        let names = Array(Set(registry.latinNames + registry.names))
        var close = Suggestions.closest(to: query, among: names) + Suggestions.closest(to: query, among: registry.ids)
        // A query longer than every name cannot lie inside one, and one far longer holds
        // none worth naming: the search inside names is skipped (it is quadratic in length).
        let longest = names.reduce(0) { max($0, $1.utf8.count) }
        if close.isEmpty, wanted.count >= 4, wanted.utf8.count <= 2 * longest + 16 {
            // A name inside the query ("Vinnytska Oblast") or the query inside a name.
            close = names.filter { name in
                let n = fold(name)
                return n.count >= 4 && (wanted.contains(n) || n.contains(wanted))
            }.sorted { ($0.count, $0) < ($1.count, $1) }
        }
        close = close.prefix(3).map { name in
            if let i = index[name] { return "\"\(name)\" (\(registry.latinNames[i]))" }
            let rows = (0..<registry.count).filter { registry.latinNames[$0] == name || registry.names[$0] == name }
            return rows.count == 1 ? "\"\(name)\" (\(registry.ids[rows[0]]))" : "\"\(name)\""
        }
        return .failure("unknown \(noun) \"\(query.prefix(40))\": neither an id nor a name in \(registry.file)"
                        + (close.isEmpty ? "" : "; did you mean " + close.joined(separator: " or ") + "?"))
    }

    private func resolve(_ id: String, _ index: [String: Int], _ registry: Registry, _ suggest: Bool) -> Resolution {
        if let i = index[id] { return .success(i) }
        return .failure("unknown \(registry.side.noun) id \"\(id.prefix(40))\" (not in \(registry.file))"
                        + (suggest ? Suggestions.phrase(for: id, among: registry.ids) : ""))
    }
}
