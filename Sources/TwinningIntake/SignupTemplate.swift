import Foundation
import TwinningShared
import TwinningInput
import TwinningOutput

/// A blank sign-up sheet to send out, and the mapping that reads it back: what
/// `twinning intake template` writes. Headings are in English and Ukrainian; each sector
/// column offers the level words as a drop-down list; a filled sheet goes through
/// `intake partners` with the mapping as written, no editing.
public enum SignupTemplate {
    /// A column of the sheet: its heading and the mapping key that reads it.
    struct Column {
        let heading: String
        let key: String?
    }

    /// The sectors as the sheet names them (English · Ukrainian), in `Sector.allCases` order.
    public static let sectorHeadings: [Sector: String] = [
        .energy: "Energy · Енергетика", .water: "Water · Водопостачання", .waste: "Waste · Поводження з відходами",
        .housing: "Housing · Житло", .transport: "Transport · Транспорт", .health: "Health · Охорона здоров’я",
        .education: "Education · Освіта", .social: "Social services · Соціальні послуги", .culture: "Culture · Культура",
        .economy: "Local economy · Місцева економіка", .agriculture: "Agriculture · Сільське господарство",
        .governance: "Governance · Врядування", .digital: "Digital services · Цифрові послуги",
        .planning: "Urban planning · Містобудування", .environment: "Environment · Довкілля",
        .civilProtection: "Civil protection · Цивільний захист", .participation: "Citizen participation · Участь громадян",
    ]

    static let place: [Column] = [
        Column(heading: "Municipality or region · Муніципалітет або регіон", key: "name"),
        Column(heading: "Country · Країна", key: "country"),
        Column(heading: "LAU or NUTS code, if known · Код LAU або NUTS", key: "code"),
        Column(heading: "NUTS 3 region, if known · Регіон NUTS 3", key: "region"),
        Column(heading: "Partners you can take · Скільки партнерів", key: "slots"),
    ]
    static let contacts = ["Contact person · Контактна особа", "Contact e-mail · Електронна пошта"]

    /// The headings, in order.
    public static var headings: [String] {
        place.map(\.heading) + Sector.allCases.map { sectorHeadings[$0]! } + contacts
    }

    /// The sheet as XLSX: the headings, a drop-down of level words under each sector, rows for `rows` sign-ups.
    public static func workbook(rows: Int = 500) throws(OutputError) -> Data {
        let levels = IntakeMapping.defaultLevels.sorted { $0.value < $1.value }.map(\.key)
        let sectors = place.count..<(place.count + Sector.allCases.count)
        return try XLSXWriter.workbook([
            XLSXWriter.Sheet(name: "Sign-ups", header: headings, rows: [], choices: sectors.map { ($0, levels) }, listRows: rows),
        ])
    }

    /// The sheet as CSV (UTF-8 with a BOM, as Excel opens it): the headings only.
    public static var csv: String { CSVWriter.text([], header: headings, excelBOM: true) }

    /// The mapping that reads a filled sheet.
    public static var mapping: String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var yaml = "# The mapping of the sign-up sheet of `twinning intake template` (twinning intake partners --mapping).\n"
        for column in place { yaml += "\(column.key!): \(quoted(column.heading))\n" }
        yaml += "offers:\n"
        for sector in Sector.allCases { yaml += "  \(sector.rawValue): \(quoted(sectorHeadings[sector]!))\n" }
        let levels = IntakeMapping.defaultLevels.sorted { $0.value < $1.value }
        yaml += "levels: {" + levels.map { "\($0.key): \(YAMLNumber.shown($0.value))" }.joined(separator: ", ") + "}\n"
        yaml += "keep: [" + contacts.map(quoted).joined(separator: ", ") + "]\n"
        return yaml
    }
}

/// Numbers in YAML as people write them: `0`, `0.5`, `1`.
enum YAMLNumber {
    static func shown(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}
