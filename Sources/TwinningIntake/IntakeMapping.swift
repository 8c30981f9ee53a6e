import Foundation
import Yams
import TwinningShared
import TwinningInput

/// Which column of a form export holds what, read from a YAML file:
///
/// ```yaml
/// name: Municipality              # the municipality or region as the person wrote it
/// country: Country                # a name in English or the country's language, or a code
/// code: LAU code                  # optional: a LAU or NUTS code, trusted over the name
/// region: Region                  # optional: a NUTS code, to tell places of one name apart
/// slots: Partners wanted          # optional: how many hromadas it can take (1 when absent)
/// offers:                         # per sector, a column holding 0–1 or a level word…
///   energy: Energy
///   water: Water supply
/// levels: {none: 0, some: 0.5, strong: 1}   # the level words and their values (these by default)
/// keep: [Contact person, Email]   # columns carried into the overlay only (personal data)
/// ```
///
/// For hromadas (`twinning intake hromadas`) `needs` takes the place of `offers`, the
/// country may be left out (Ukraine), the region hint is the oblast (`Vinnytsia Oblast`)
/// and `seeking` names a column saying whether the hromada seeks partners now (yes/no,
/// 1/0; every row seeks when absent).
///
/// or, for a form with one multiple-choice question, `offers` names that column, what
/// separates the answers and which sectors each answer means:
///
/// ```yaml
/// offers:
///   column: What can you offer?
///   separator: ";"
///   answers:
///     Energy efficiency: energy
///     Water and waste: [water, waste]
/// ```
public struct IntakeMapping: Sendable {
    /// A column named in the mapping, with where it was named (for errors).
    public struct Column: Sendable, Hashable {
        public let name: String
        public let line: Int, column: Int
    }

    public enum Offers: Sendable {
        /// One column per sector, each holding a number in [0, 1] or a level word.
        case columns([(sector: Sector, column: Column)])
        /// One column holding a list of answers; each answer (folded) means some sectors.
        case answers(column: Column, separator: String, meaning: [String: [Sector]])
    }

    public let file: String
    public let name: Column
    public let country: Column?
    public let code: Column?, region: Column?, slots: Column?, seeking: Column?
    /// Offers (partners) or needs (hromadas) per sector.
    public let sectors: Offers?
    /// The key the sectors were given under (`offers` or `needs`) and where.
    public let sectorsKey: (key: String, line: Int)?
    /// Level word (folded) → value.
    public let levels: [String: Double]
    public let keep: [Column]

    public static let keys = ["name", "country", "code", "region", "slots", "seeking", "offers", "needs", "levels", "keep"]
    public static let defaultLevels: [String: Double] = ["none": 0, "some": 0.5, "strong": 1]

    public static func load(path: String) throws(InputErrors) -> IntakeMapping {
        try parse(InputFile.text(path: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputErrors) -> IntakeMapping {
        let root = try YAMLReader.parse(text, file: file)
        var reader = YAMLReader(file: file)
        var columns: [String: Column] = [:], offers: Offers?, sectorsKey: (String, Int)?, levels = defaultLevels, keep: [Column] = []
        for (key, keyNode, value) in reader.entries(root, keys: keys, what: "mapping") {
            switch key {
            case "offers", "needs":
                if let (other, line) = sectorsKey {
                    reader.fail(keyNode, .conflict, "\(key) and \(other) (line \(line)) both given: offers are for partners, needs for hromadas")
                }
                sectorsKey = (key, keyNode.mark?.line ?? 0)
                offers = parseOffers(value, key: key, reader: &reader)
            case "levels":
                var read: [String: Double] = [:]
                for (word, _, number) in reader.openEntries(value, what: "level") {
                    if let x = reader.number(number, "levels.\(word)", in: 0...1, expected: "a number between 0 and 1") { read[NameKey.fold(word)] = x }
                }
                levels = read
            case "keep":
                for item in reader.items(value, key, expected: "column headings") ?? [] { if let c = column(item, key, &reader) { keep.append(c) } }
            default:
                if let c = column(value, key, &reader) { columns[key] = c }
            }
        }
        if columns["name"] == nil {
            reader.fail(line: root?.mark?.line ?? 1, .missing, "the mapping must say which column holds the name (name: <column heading>)")
        }
        try reader.finish()
        return IntakeMapping(file: file, name: columns["name"]!, country: columns["country"], code: columns["code"],
                             region: columns["region"], slots: columns["slots"], seeking: columns["seeking"], sectors: offers,
                             sectorsKey: sectorsKey, levels: levels, keep: keep)
    }

    /// A column heading named under `key`.
    static func column(_ node: Node, _ key: String, _ reader: inout YAMLReader) -> Column? {
        reader.string(node, key, expected: "the heading of a column of the export").map {
            Column(name: $0, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        }
    }

    static func parseOffers(_ value: Node, key sectorsKey: String, reader: inout YAMLReader) -> Offers? {
        let sectors = Sector.allCases.map(\.rawValue)
        if value.mapping?.keys.contains(where: { $0.string == "column" }) ?? false {
            var list: Column?, separator = ";", meaning: [String: [Sector]] = [:]
            for (key, _, v) in reader.entries(value, keys: ["column", "separator", "answers"], what: sectorsKey) {
                switch key {
                case "column": list = column(v, "\(sectorsKey).column", &reader)
                case "separator": separator = reader.string(v, "\(sectorsKey).separator", expected: "the text between answers, such as \";\"") ?? separator
                default:
                    for (answer, _, means) in reader.openEntries(v, what: "answer") {
                        let words = means.sequence.map(Array.init) ?? [means]
                        var found: [Sector] = []
                        for word in words {
                            guard let text = word.scalar?.string, let sector = Sector(rawValue: text) else {
                                reader.fail(word, .invalidValue, "\(sectorsKey).answers.\(answer) must name sectors (\(sectors.joined(separator: ", "))), found "
                                            + "\(YAMLReader.shown(word))" + Suggestions.phrase(for: word.scalar?.string ?? "", among: sectors))
                                continue
                            }
                            found.append(sector)
                        }
                        meaning[NameKey.fold(answer)] = found
                    }
                }
            }
            guard let list else {
                reader.fail(value, .missing, "\(sectorsKey) must name its column (\(sectorsKey).column: <column heading>)")
                return nil
            }
            return .answers(column: list, separator: separator, meaning: meaning)
        }
        var out: [(Sector, Column)] = []
        for (key, _, v) in reader.entries(value, keys: sectors, what: "sector") {
            if let c = column(v, "\(sectorsKey).\(key)", &reader) { out.append((Sector(rawValue: key)!, c)) }
        }
        return .columns(out)
    }
}
