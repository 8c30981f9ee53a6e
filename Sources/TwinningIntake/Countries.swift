import TwinningInput

/// The countries of the registries as sign-up forms write them (``CountryNames``),
/// compared after ``NameKey/fold(_:)``, so case, script and diacritics do not matter.
enum Countries {
    /// Folded name or code → registry code.
    static let byKey: [String: String] = {
        var out: [String: String] = [:]
        for (code, names) in CountryNames.names {
            out[NameKey.fold(code)] = code
            for name in names { out[NameKey.fold(name)] = code }
        }
        return out
    }()

    /// The registry code of a country as a form wrote it, or nil.
    static func code(_ text: String) -> String? { byKey[NameKey.fold(text)] }
}
