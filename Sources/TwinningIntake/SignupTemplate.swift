import Foundation
import TwinningShared
import TwinningInput
import TwinningOutput

/// A blank sign-up sheet to send out, and the mapping that reads it back: what
/// `twinning intake template` writes, for partners (offers) or hromadas (needs).
/// Headings are in English and Ukrainian; each sector column offers the level words as a
/// drop-down list (and the hromadas' "seeking now" column yes or no); a filled sheet goes
/// through `intake partners` or `intake hromadas` with the mapping as written, no editing.
public struct SignupTemplate: Sendable {
    public let side: Side
    public init(side: Side) { self.side = side }

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

    /// The columns before the sectors.
    var place: [Column] {
        switch side {
        case .partners: return [
            Column(heading: "Municipality or region · Муніципалітет або регіон", key: "name"),
            Column(heading: "Country · Країна", key: "country"),
            Column(heading: "LAU or NUTS code, if known · Код LAU або NUTS", key: "code"),
            Column(heading: "NUTS 3 region, if known · Регіон NUTS 3", key: "region"),
            Column(heading: "Partners you can take · Скільки партнерів", key: "slots"),
        ]
        case .hromadas: return [
            Column(heading: "Громада · Hromada", key: "name"),
            Column(heading: "Область · Oblast", key: "region"),
            Column(heading: "Скільки партнерів загалом · Partners wanted in all", key: "slots"),
            Column(heading: "Шукаємо партнерів зараз · Seeking partners now", key: "seeking"),
        ]
        }
    }
    static let contacts = ["Contact person · Контактна особа", "Contact e-mail · Електронна пошта"]
    /// The answers of the hromadas' "seeking now" column.
    static let yesNo = ["так", "ні"]

    /// The file names: `partners-signup.xlsx` or `hromadas-requests.xlsx`, …
    public var stem: String { side == .partners ? "partners-signup" : "hromadas-requests" }

    /// The headings, in order.
    public var headings: [String] {
        place.map(\.heading) + Sector.allCases.map { (side == .partners ? "" : "Потреба · Need: ") + Self.sectorHeadings[$0]! } + Self.contacts
    }

    /// The sheet as XLSX: the headings, a drop-down of level words under each sector, rows for `rows` sign-ups.
    public func workbook(rows: Int = 500) throws(OutputError) -> Data {
        let levels = IntakeMapping.defaultLevels.sorted { $0.value < $1.value }.map(\.key)
        let sectors = place.count..<(place.count + Sector.allCases.count)
        var choices = sectors.map { ($0, levels) }
        if let seeking = place.firstIndex(where: { $0.key == "seeking" }) { choices.append((seeking, Self.yesNo)) }
        return try XLSXWriter.workbook([
            XLSXWriter.Sheet(name: side == .partners ? "Sign-ups" : "Requests", header: headings, rows: [], choices: choices, listRows: rows),
        ])
    }

    /// The sheet as CSV (UTF-8 with a BOM, as Excel opens it): the headings only.
    public var csv: String { CSVWriter.text([], header: headings, excelBOM: true) }

    /// The mapping that reads a filled sheet.
    public var mapping: String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var yaml = "# The mapping of the sign-up sheet of `twinning intake template` (twinning intake \(side.rawValue) --mapping).\n"
        for column in place { yaml += "\(column.key!): \(quoted(column.heading))\n" }
        yaml += side == .partners ? "offers:\n" : "needs:\n"
        let first = place.count
        for (k, sector) in Sector.allCases.enumerated() { yaml += "  \(sector.rawValue): \(quoted(headings[first + k]))\n" }
        let levels = IntakeMapping.defaultLevels.sorted { $0.value < $1.value }
        yaml += "levels: {" + levels.map { "\($0.key): \(YAMLReader.shown($0.value))" }.joined(separator: ", ") + "}\n"
        yaml += "keep: [" + Self.contacts.map(quoted).joined(separator: ", ") + "]\n"
        return yaml
    }
}
