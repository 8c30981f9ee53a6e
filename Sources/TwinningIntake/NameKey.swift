import Foundation

/// Place names as people write them, reduced to a key that compares equal across the
/// ways of writing one name: any script in Latin letters (ICU's Any-Latin: Cyrillic,
/// Greek), no case, no diacritics, letters Latin decomposition leaves alone (`ł`, `ø`,
/// `æ`, `ß`, `đ`, `ı`, `œ`, `þ`, `ð`) spelt out, apostrophes of every kind dropped,
/// hyphens, dots, commas and slashes as spaces, and the administrative words around a
/// name ("Gmina", "Miasto", "Stadt", "Gemeinde", "Comune di", "Ville de", "Municipality
/// of", ", Landeshauptstadt", "-Stadt", "Δήμος") taken off its ends.
///
/// Registry names and sign-ups go through the same function, so both sides of a
/// comparison are written the same way. A key that several registry rows share is
/// ambiguous and resolved by a person, never guessed.
public enum NameKey {
    /// The name folded: Latin letters, lower case, no diacritics or punctuation, single spaces.
    public static func fold(_ name: String) -> String {
        // Greek and Cyrillic through ICU's Any-Latin; every name then decomposed (NFD)
        // with its combining marks dropped, in lower case.
        let latin = name.unicodeScalars.contains(where: { (0x370...0x4FF).contains($0.value) || (0x1F00...0x1FFF).contains($0.value) })
            ? name.applyingTransform(.toLatin, reverse: false) ?? name : name
        var plain = String.UnicodeScalarView()
        if latin.utf8.allSatisfy({ $0 < 0x80 }) {
            plain = latin.lowercased().unicodeScalars
        } else {
            for scalar in latin.decomposedStringWithCanonicalMapping.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                plain.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        var out = ""
        out.reserveCapacity(plain.count)
        var space = true
        for character in String(plain) {
            if let spelt = spelt[character] {
                out += spelt
                space = false
            } else if apostrophes.contains(character) {
                continue
            } else if character.isLetter || character.isNumber {
                out.append(character)
                space = false
            } else if !space {
                out.append(" ")
                space = true
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// The folded name without the administrative words at its ends: what sign-ups and
    /// registry rows are compared by. Never empty when the folded name is not (a name that
    /// is only such words keeps them).
    public static func key(_ name: String) -> String {
        let tokens = fold(name).split(separator: " ").map(String.init)
        var first = 0, last = tokens.count
        // Opening words, each perhaps with its joining word ("Municipality of Gmina …").
        while first < last - 1 && prefixes.contains(tokens[first]) {
            first += 1
            if first < last - 1 && connectors.contains(tokens[first]) { first += 1 }
        }
        while last > first + 1 && suffixes.contains(tokens[last - 1]) { last -= 1 }
        return tokens[first..<last].joined(separator: " ")
    }

    /// Letters that stripping diacritics leaves as they are, spelt in plain Latin.
    static let spelt: [Character: String] = [
        "ł": "l", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ı": "i", "œ": "oe", "þ": "th", "ð": "d", "ħ": "h", "ŀ": "l",
    ]
    static let apostrophes: Set<Character> = ["'", "’", "‘", "ʼ", "`", "´", "ʹ", "′"]

    /// Words that open an official name or a form answer ("Gmina Łańcut", "Comune di Roma",
    /// "Δήμος Αθηναίων" as folded: "dimos").
    static let prefixes: Set<String> = [
        "gmina", "miasto", "miasta", "stadt", "gemeinde", "markt", "marktgemeinde", "stadtgemeinde", "comune", "citta",
        "ville", "commune", "municipality", "city", "town", "municipio", "municipiul", "oras", "orasul", "comuna",
        "obec", "mesto", "statutarni", "gemeente", "kommune", "kommun", "dimos", "koinotita", "opcina", "obcina",
        "grad", "mestna", "concello", "ajuntament", "ayuntamiento", "concelho", "freguesia", "vald", "novads",
        "savivaldybe", "kunta", "kaupunki",
        // Greek registry names ("Ψευδοδημοτική Κοινότητα Αθηναίων"), in the registry's
        // romanisation and in ICU's.
        "psevdodimotiki", "psevdodemotike", "koinotita", "koinoteta", "topiki", "topike", "dimotiki", "demotike", "demos",
    ]
    /// Joining words after an opening word ("Comune *di* Roma", "Municipality *of* Lviv").
    static let connectors: Set<String> = ["of", "di", "de", "du", "del", "della", "des", "d", "la", "le"]
    /// Words that close an official name ("München, Landeshauptstadt", "Kiel-Stadt").
    static let suffixes: Set<String> = [
        "stadt", "landeshauptstadt", "universitatsstadt", "hansestadt", "kreisstadt", "stadtgemeinde", "gemeinde",
        "markt", "city", "town", "municipality", "gmina", "miasto", "kommune", "kommun", "commune", "grad",
        "vald", "novads", "kaupunki", "kunta", "dimos", "mesto", "obec",
        // Hromadas ("Агрономічна сільська територіальна громада", "Вінницька міська ТГ"), in the
        // national romanisation and in ICU's, and in English.
        "hromada", "gromada", "terytorialna", "teritorialna", "silska", "selyshchna", "selisna", "miska", "tg", "otg",
        "rada", "community", "territorial", "village", "settlement",
    ]
}
