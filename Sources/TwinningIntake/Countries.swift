/// The countries of the registries, as sign-up forms write them: the registry's
/// code (Eurostat's: `EL` for Greece, `UK` for the United Kingdom), the ISO 3166 code
/// where it differs, the English name and the country's own names. Compared after
/// ``NameKey/fold(_:)``, so case, script and diacritics do not matter.
enum Countries {
    /// Registry code → the names and codes a form may give for it.
    static let names: [String: [String]] = [
        "AL": ["Albania", "Shqipëria", "Shqipëri"],
        "AT": ["Austria", "Österreich"],
        "BE": ["Belgium", "België", "Belgique", "Belgien"],
        "BG": ["Bulgaria", "България"],
        "CH": ["Switzerland", "Schweiz", "Suisse", "Svizzera", "Svizra"],
        "CY": ["Cyprus", "Κύπρος", "Kıbrıs"],
        "CZ": ["Czechia", "Czech Republic", "Česko", "Česká republika"],
        "DE": ["Germany", "Deutschland"],
        "DK": ["Denmark", "Danmark"],
        "EE": ["Estonia", "Eesti"],
        "EL": ["Greece", "GR", "Ελλάδα", "Ellada", "Hellas"],
        "ES": ["Spain", "España"],
        "FI": ["Finland", "Suomi"],
        "FR": ["France"],
        "HR": ["Croatia", "Hrvatska"],
        "HU": ["Hungary", "Magyarország"],
        "IE": ["Ireland", "Éire"],
        "IS": ["Iceland", "Ísland"],
        "IT": ["Italy", "Italia"],
        "LI": ["Liechtenstein"],
        "LT": ["Lithuania", "Lietuva"],
        "LU": ["Luxembourg", "Lëtzebuerg", "Luxemburg"],
        "LV": ["Latvia", "Latvija"],
        "MK": ["North Macedonia", "Macedonia", "Северна Македонија"],
        "MT": ["Malta"],
        "NL": ["Netherlands", "The Netherlands", "Nederland", "Holland"],
        "NO": ["Norway", "Norge", "Noreg"],
        "PL": ["Poland", "Polska"],
        "PT": ["Portugal"],
        "RO": ["Romania", "România"],
        "RS": ["Serbia", "Србија", "Srbija"],
        "SE": ["Sweden", "Sverige"],
        "SI": ["Slovenia", "Slovenija"],
        "SK": ["Slovakia", "Slovensko"],
        "UK": ["United Kingdom", "GB", "Great Britain", "Britain", "UK"],
        "UA": ["Ukraine", "Україна", "Ukraina"],
    ]

    /// Folded name or code → registry code.
    static let byKey: [String: String] = {
        var out: [String: String] = [:]
        for (code, names) in names {
            out[NameKey.fold(code)] = code
            for name in names { out[NameKey.fold(name)] = code }
        }
        return out
    }()

    /// The registry code of a country as a form wrote it, or nil.
    static func code(_ text: String) -> String? { byKey[NameKey.fold(text)] }
}
