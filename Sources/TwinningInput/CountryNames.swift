/// The countries of the registries by their code (Eurostat's: `EL` for Greece, `UK` for
/// the United Kingdom): the English name first, then the ISO 3166 code where it differs
/// and the country's own names. Sentences name countries by the first
/// (``english(_:)``); sign-up intake reads any of them.
public enum CountryNames {
    /// Registry code → the names and codes a form may give for it.
    public static let names: [String: [String]] = [
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

    /// The English name of a registry code, or the code itself when it is not known.
    public static func english(_ code: String) -> String { names[code]?.first ?? code }
}
