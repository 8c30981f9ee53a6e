import Foundation
import Testing
@testable import TwinningInput
@testable import TwinningIntake
import SeededRandom
@testable import TwinningShared

/// Sign-ups resolved to the registry: a labelled set made from the shipped registry with
/// names altered as people write them, and every user mistake of an export or mapping.
@Suite struct IntakeTests {
    static let registry: Registry = try! Registry.load(
        path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data/partners.csv").standardized.path,
        side: .partners)
    static let index = PlaceIndex(registry)

    @Test("names as people write them: the same key", arguments: [
        ("Gmina Łańcut", "Łańcut"), ("STADT MÜNCHEN", "München, Landeshauptstadt"), ("Comune di Roma", "Roma"),
        ("Ville de Saint-Étienne", "Saint-Étienne"), ("Municipality of Ljubljana", "Ljubljana"), ("Kiel-Stadt", "Kiel"),
        ("Zymohir'ivska", "Zymohir’ivska"), ("s-Gravenhage", "'s-Gravenhage"), ("Lodz", "Łódź"), ("Koebenhavn", "Koebenhavn"),
        ("Θεσσαλονίκη", "Thessalonike"), ("Ærøskøbing", "aeroskobing"), ("Municipality of Koinotita Lygeris", "Koinotita Lygeris"),
        ("Municipality of Oraş Cavnic", "Oraş Cavnic"),
    ])
    func keys(_ pair: (String, String)) {
        #expect(NameKey.key(pair.0) == NameKey.key(pair.1), "\(NameKey.key(pair.0)) ≠ \(NameKey.key(pair.1))")
    }

    /// A place as a person might write it, and the country as a form might.
    static func altered(_ i: Int, _ random: inout SplitMix64) -> (name: String, country: String) {
        let r = registry, country = r.countries[i]
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &random)] }
        var name = pick([r.names[i], r.latinNames[i]])
        if let comma = name.firstIndex(of: ","), Bool.random(using: &random) { name = String(name[..<comma]) }
        switch Int.random(in: 0..<7, using: &random) {
        case 0: name = name.uppercased()
        case 1: name = name.lowercased()
        case 2: name = name.applyingTransform(.stripDiacritics, reverse: false)!.replacingOccurrences(of: "ł", with: "l")
        case 3:
            let prefix = ["PL": "Gmina ", "DE": "Stadt ", "AT": "Gemeinde ", "IT": "Comune di ", "FR": "Ville de ", "RO": "Municipiul ",
                          "CZ": "Obec ", "ES": "Ayuntamiento de "][country] ?? "Municipality of "
            name = prefix + name
        case 4: name = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "’", with: "'")
        case 5: name = "  " + name + " "
        default: break
        }
        let countryText = pick([country, CountryNames.names[country]![0], CountryNames.names[country]!.last!])
        return (name, countryText)
    }

    @Test("resolution on a labelled set of 3,000 registry places as people write them: ≥ 95 % of the uniquely named resolved right, none wrong; made-up names never resolved")
    func labelledSet() throws {
        var random = SplitMix64(seed: 2026_12_07)
        let r = Self.registry
        var unique = 0, right = 0, wrong: [String] = [], flagged = 0, shared = 0, sharedGuessed: [String] = []
        for _ in 0..<3_000 {
            let i = Int.random(in: 0..<r.count, using: &random)
            let (name, countryText) = Self.altered(i, &random)
            let country = try #require(Countries.code(countryText), "\(countryText)")
            #expect(country == r.countries[i])
            // Uniquely named: no other place of the country shares the name's key.
            let others = (Self.index.byKey["\(country)|\(NameKey.key(name))"] ?? []).filter { $0 != i }
            switch Self.index.find(name: name, country: country) {
            case let .one(found, _):
                if found == i { right += others.isEmpty ? 1 : 0 } else { wrong.append("\(name) (\(country)): \(r.ids[found]) for \(r.ids[i])") }
                if !others.isEmpty { sharedGuessed.append("\(name) (\(country)) → \(r.ids[found])") }
            case .several, .none: flagged += 1
            }
            if others.isEmpty { unique += 1 } else { shared += 1 }
        }
        let share = Double(right) / Double(unique)
        print("labelled set: \(unique) uniquely named, \(right) resolved right (\(Decimals.fixed(100 * share, 1)) %), "
              + "\(flagged) flagged for a person, \(wrong.count) wrong; \(shared) sharing a name with another place")
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
        #expect(sharedGuessed.isEmpty, "a name several places share was resolved: \(sharedGuessed.prefix(10))")
        #expect(share >= 0.95, "\(right) of \(unique)")
        // Names no place has, with letters of every script, are never resolved.
        for k in 0..<300 {
            let made = "Xq" + String((0..<8).map { _ in "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźżжшщθλ".randomElement(using: &random)! }) + "\(k)"
            if case .one = Self.index.find(name: made, country: r.countries[k * 97 % r.count]) { Issue.record("\(made) resolved") }
        }
    }

    @Test("a code wins over the name; a code of another country or none is said so; the region hint tells places of one name apart")
    func codesAndRegions() throws {
        let r = Self.registry
        let munich = try #require(r.index()["DE_09162000"])
        #expect(Self.index.find(name: "Somewhere else", country: "DE", code: "09162000") == .one(munich, how: "by its code"))
        if case let .none(_, why) = Self.index.find(name: "Roma", country: "DE", code: "IT_058091") {
            #expect(why.contains("is Roma in IT, not in DE"))
        } else { Issue.record("a code of Italy resolved in Germany") }
        guard case let .several(rows, _) = Self.index.find(name: "Łańcut", country: "PL") else { Issue.record("Łańcut is two gminas"); return }
        #expect(rows.count == 2)
        // Both Łańcut gminas are in PL823: the hint cannot tell them apart, and says so.
        guard case let .several(_, why) = Self.index.find(name: "Łańcut", country: "PL", region: "PL823") else { Issue.record("guessed"); return }
        #expect(why.contains("does not tell them apart"))
        // Neustadt: many, in several regions; a NUTS 3 code picks one where it is alone.
        let neustadts = (0..<r.count).filter { r.countries[$0] == "DE" && NameKey.key(r.names[$0]) == "neustadt" }
        let regions = Dictionary(grouping: neustadts, by: { r.regions[$0] }).filter { $0.value.count == 1 }
        if let (region, rows) = regions.first {
            #expect(Self.index.find(name: "Neustadt", country: "DE", region: region) == .one(rows[0], how: "by name and region \(region)"))
        }
    }

    static let mapping = """
        name: Municipality
        country: Country
        slots: Partners
        offers:
          energy: Energy
          water: Water
        keep: [Email]

        """

    static func intake(_ export: String, mapping: String = mapping) throws(InputErrors) -> SignupIntake {
        let table = try CSVTable.parse(Data(export.utf8), file: "export.csv")
        return try SignupIntake.run(export: table, mapping: try IntakeMapping.parse(mapping, file: "map.yaml"), index: index)
    }

    @Test("every user mistake in an export or a mapping: one error each, with where", arguments: [
        ("a mapped column missing", "Municipality;Country;Partners;Energy;Email\nKiel;DE;1;some;a@b\n", mapping,
         "map.yaml:6:10: column \"Water\" is not in export.csv"),
        ("a level word the mapping does not have", "Municipality;Country;Partners;Energy;Water;Email\nKiel;DE;1;plenty;none;a@b\n", mapping,
         "export.csv:2:4: \"plenty\" in Energy is not a level word of map.yaml (none, some, strong) nor a number between 0 and 1"),
        ("an offer outside [0, 1]", "Municipality;Country;Partners;Energy;Water;Email\nKiel;DE;1;1,5;none;a@b\n", mapping,
         "export.csv:2:4: Energy must be between 0 and 1 or a level word (none, some, strong), found 1,5"),
        ("a country the registry does not have", "Municipality,Country,Partners,Energy,Water,Email\nKyiv,Ukraine,1,some,none,a@b\n", mapping,
         "export.csv:2:2: country \"Ukraine\" is not one of the partners' registry"),
        ("an empty row", "Municipality,Country,Partners,Energy,Water,Email\nKiel,DE,1,some,none,a@b\n,,,,,x@y\n", mapping,
         "export.csv:3: is empty (every mapped column blank): delete the row"),
        ("slots not a whole number", "Municipality,Country,Partners,Energy,Water,Email\nKiel,DE,two,some,none,a@b\n", mapping,
         "export.csv:2:3: Partners must be a whole number of partners ≥ 0, found two"),
        ("an unknown mapping key", "Municipality,Country\nKiel,DE\n", "name: Municipality\ncountry: Country\nofers:\n  energy: E\n",
         "map.yaml:3:1: unknown mapping key \"ofers\"; did you mean \"offers\"?"),
        ("an unknown sector", "Municipality,Country\nKiel,DE\n", "name: Municipality\ncountry: Country\noffers:\n  enrgy: E\n",
         "map.yaml:4:3: unknown sector key \"enrgy\"; did you mean \"energy\"?"),
        ("no name column said", "Municipality,Country\nKiel,DE\n", "country: Country\n",
         "map.yaml:1: the mapping must say which column holds the name"),
    ])
    func badInput(_ row: (String, String, String, String)) {
        do {
            _ = try Self.intake(row.1, mapping: row.2)
            Issue.record("\(row.0): accepted")
        } catch {
            #expect(error.errors.contains { $0.description.hasPrefix(row.3) }, "\(row.0): \(error.errors.map(\.description))")
        }
    }

    @Test("an export becomes resolution rows and an overlay: statuses, duplicates merged or reported, kept columns in the overlay only")
    func overlay() throws {
        let intake = try Self.intake("""
            Municipality,Country,Partners,Energy,Water,Email
            Stadt München,Deutschland,2,strong,0.25,m@x.de
            Warsaw,Poland,1,some,none,w@x.pl
            München,DE,2,strong,0.25,m2@x.de
            Munich,Germany,1,none,none,m3@x.de
            Łańcut,PL,1,none,none,l@x.pl
            Atlantis,France,1,none,none,a@x.fr

            """)
        #expect(intake.rows.map(\.status) == [.resolved, .resolved, .duplicate, .duplicate, .ambiguous, .unresolved])
        #expect(intake.rows[2].why.hasSuffix("same answers, merged"))
        #expect(intake.rows[3].why.contains("different answers"))
        #expect(intake.signUps.map { Self.registry.ids[$0.place] } == ["DE_09162000", "PL_1007141286501"])
        let overlay = try CSVTable.parse(Data(intake.overlayCSV.utf8), file: "partners.csv")
        #expect(overlay.header.last == "Email")
        let laid = try SignupOverlay.apply(overlay, to: Self.registry)
        let munich = Self.registry.index()["DE_09162000"]!
        #expect(laid.volunteers[munich] && laid.slots[munich] == 2)
        #expect(laid.sectorValues[munich, laid.sectors.firstIndex(of: .energy)!] == 1)
        #expect(laid.sectorValues[munich, laid.sectors.firstIndex(of: .water)!] == 0.25)
        #expect(!intake.resolutionCSV.contains("m@x.de"), "personal data stays out of resolution.csv")
        // An overlay naming an id the registry lacks, or one twice: errors at their lines.
        let bad = try CSVTable.parse(Data("id,slots\nXX_1,1\nDE_09162000,1\nDE_09162000,2\n".utf8), file: "o.csv")
        #expect(throws: InputErrors.self) { try SignupOverlay.apply(bad, to: Self.registry) }
    }

    static let hromadas: Registry = try! Registry.load(
        path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data/hromadas.csv").standardized.path,
        side: .hromadas)

    @Test("hromadas' requests: names in Ukrainian or Latin with their administrative words, the oblast as hint, seeking yes/no; the overlay sets seeking, slots and needs")
    func hromadaRequests() throws {
        let index = PlaceIndex(Self.hromadas)
        let export = """
            Громада;Область;Скільки партнерів;Шукаємо зараз;Енергетика;Email
            Агрономічна сільська територіальна громада;;2;так;strong;a@ua
            Vinnytska miska hromada;;1;yes;some;b@ua
            Іванівська громада;;1;ні;none;c@ua
            Ivanivska;Odesa Oblast;3;no;none;d@ua
            Ivanivska;Odesa Oblast;3;maybe;none;d@ua

            """
        let mapping = try IntakeMapping.parse("name: Громада\nregion: Область\nslots: Скільки партнерів\nseeking: Шукаємо зараз\n"
                                              + "needs:\n  energy: Енергетика\nkeep: [Email]\n", file: "req.yaml")
        let table = try CSVTable.parse(Data(export.utf8), file: "req.csv")
        #expect(throws: InputErrors.self) { try SignupIntake.run(export: table, mapping: mapping, index: index) }
        let fine = try CSVTable.parse(Data(export.components(separatedBy: "\n").dropLast(2).joined(separator: "\n").utf8), file: "req.csv")
        let intake = try SignupIntake.run(export: fine, mapping: mapping, index: index)
        #expect(intake.rows.map(\.status) == [.resolved, .resolved, .ambiguous, .resolved])
        #expect(intake.rows.compactMap(\.place).map { Self.hromadas.ids[$0] } == ["UA05020010000053508", "UA05020030000031457", "UA51020090000073639"])
        let overlay = try CSVTable.parse(Data(intake.overlayCSV.utf8), file: "hromadas.csv")
        #expect(SignupOverlay.side(of: overlay) == .hromadas)
        let laid = try SignupOverlay.apply(overlay, to: Self.hromadas)
        let ahronomichna = Self.hromadas.index()["UA05020010000053508"]!, ivanivska = Self.hromadas.index()["UA51020090000073639"]!
        #expect(laid.seeking[ahronomichna] == true && laid.slots[ahronomichna] == 2)
        #expect(laid.sectorValues[ahronomichna, laid.sectors.firstIndex(of: .energy)!] == 1)
        #expect(laid.seeking[ivanivska] == false && laid.slots[ivanivska] == 3)
        // Offers in a hromadas' mapping, needs in a partners' one: said so, at the key.
        do {
            _ = try SignupIntake.run(export: fine, mapping: IntakeMapping.parse("name: Громада\noffers:\n  energy: Енергетика\n", file: "m.yaml"), index: index)
            Issue.record("offers accepted for hromadas")
        } catch {
            #expect(error.errors.map(\.description).contains("m.yaml:2: offers is for partners; a hromada sign-up says its needs"), "\(error)")
        }
    }
}
