/// English names of European places that differ from the registry's own (the registry's
/// Latin names are the places' own: `München, Landeshauptstadt`, `Warszawa`), as
/// `(country, English, registry name)`. Facts compiled for this tool; a sign-up giving
/// one of these English names resolves as if it gave the registry's.
enum Exonyms {
    static let table: [(country: String, english: String, local: String)] = [
        ("AT", "Vienna", "Wien"), ("AT", "Carinthia", "Kärnten"),
        ("BE", "Brussels", "Bruxelles"), ("BE", "Antwerp", "Antwerpen"), ("BE", "Ghent", "Gent"), ("BE", "Bruges", "Brugge"),
        ("BE", "Louvain", "Leuven"), ("BE", "Liege", "Liège"), ("BE", "Mechelen", "Mechelen"),
        ("BG", "Sofia", "София"), ("BG", "Plovdiv", "Пловдив"), ("BG", "Varna", "Варна"),
        ("CH", "Geneva", "Genève"), ("CH", "Zurich", "Zürich"), ("CH", "Berne", "Bern"), ("CH", "Lucerne", "Luzern"), ("CH", "Basle", "Basel"),
        ("CY", "Nicosia", "Λευκωσία"), ("CY", "Limassol", "Λεμεσός"),
        ("CZ", "Prague", "Praha"), ("CZ", "Pilsen", "Plzeň"),
        ("DE", "Munich", "München"), ("DE", "Cologne", "Köln"), ("DE", "Nuremberg", "Nürnberg"), ("DE", "Hanover", "Hannover"),
        ("DE", "Brunswick", "Braunschweig"), ("DE", "Aix-la-Chapelle", "Aachen"), ("DE", "Frankfurt", "Frankfurt am Main"),
        ("DK", "Copenhagen", "København"), ("DK", "Elsinore", "Helsingør"),
        ("EL", "Athens", "Αθηναίων"), ("EL", "Thessaloniki", "Θεσσαλονίκης"), ("EL", "Salonika", "Θεσσαλονίκης"), ("EL", "Patras", "Πατρέων"),
        ("ES", "Seville", "Sevilla"), ("ES", "Saragossa", "Zaragoza"), ("ES", "Corunna", "A Coruña"), ("ES", "Majorca", "Palma"),
        ("FI", "Helsingfors", "Helsinki"),
        ("FR", "Lyons", "Lyon"), ("FR", "Marseilles", "Marseille"), ("FR", "Dunkirk", "Dunkerque"),
        ("IT", "Rome", "Roma"), ("IT", "Milan", "Milano"), ("IT", "Naples", "Napoli"), ("IT", "Turin", "Torino"),
        ("IT", "Florence", "Firenze"), ("IT", "Venice", "Venezia"), ("IT", "Genoa", "Genova"), ("IT", "Padua", "Padova"),
        ("IT", "Leghorn", "Livorno"), ("IT", "Mantua", "Mantova"), ("IT", "Syracuse", "Siracusa"),
        ("LT", "Kovno", "Kaunas"),
        ("NL", "The Hague", "'s-Gravenhage"), ("NL", "Den Haag", "'s-Gravenhage"),
        ("PL", "Warsaw", "Warszawa"), ("PL", "Cracow", "Kraków"), ("PL", "Krakow", "Kraków"),
        ("PT", "Lisbon", "Lisboa"), ("PT", "Oporto", "Porto"),
        ("RO", "Bucharest", "Bucureşti"), ("RO", "Jassy", "Iaşi"),
        ("RS", "Belgrade", "Београд"),
        ("SE", "Gothenburg", "Göteborg"),
        ("SK", "Pressburg", "Bratislava"),
    ]

    /// (country, key of the English name) → keys of the registry name.
    static let byKey: [String: [String]] = {
        var out: [String: [String]] = [:]
        for entry in table { out["\(entry.country)|\(NameKey.key(entry.english))", default: []].append(NameKey.key(entry.local)) }
        return out
    }()

    /// The registry-name keys an English name stands for in a country (none for most).
    static func local(country: String, key: String) -> [String] { byKey["\(country)|\(key)"] ?? [] }
}
