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

    private func resolve(_ id: String, _ index: [String: Int], _ registry: Registry, _ suggest: Bool) -> Resolution {
        if let i = index[id] { return .success(i) }
        return .failure("unknown \(registry.side.noun) id \"\(id.prefix(40))\" (not in \(registry.file))"
                        + (suggest ? Suggestions.phrase(for: id, among: registry.ids) : ""))
    }
}
