import Foundation
import TwinningInput
import XMLCoder
import ZIPFoundation

/// One sheet of an XLSX workbook (what Microsoft Forms, Google Sheets, Excel and
/// LibreOffice save) as CSV text, one line per spreadsheet row and a blank line for each
/// empty one, so that the tool's one CSV reader (`CSVTable`) reads it and every error
/// names the spreadsheet's own row and column (`export.xlsx:5:3` is row 5, column C).
///
/// The workbook is a ZIP archive (read with ZIPFoundation) of XML parts (decoded with
/// XMLCoder): `xl/workbook.xml` lists the sheets, `xl/_rels/workbook.xml.rels` says which
/// part holds each, `xl/sharedStrings.xml` holds the texts cells refer to by number.
/// Cells are read as the file stores them: texts (shared, inline or a formula's), numbers
/// as written (a date is its serial number), booleans as 1 or 0; a formula's cached value
/// is read, never the formula.
public enum Workbook {
    /// Whether the file starts as a ZIP archive does (an XLSX, or another Office file).
    public static func isZIP(_ data: Data) -> Bool { data.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    /// The sheet named `sheet` (the first when nil) of the workbook at `path`, as CSV.
    public static func csv(path: String, sheet: String? = nil) throws(InputErrors) -> Data {
        let data = try InputFile.contents(path: path).data
        return try csv(data, file: path, sheet: sheet)
    }

    public static func csv(_ data: Data, file: String, sheet: String? = nil) throws(InputErrors) -> Data {
        func fail(_ message: String) -> InputErrors { InputErrors(InputError(.syntax, file: file, message)) }
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch { throw fail("is not a readable XLSX workbook (not a ZIP archive)") }
        func part(_ path: String) throws(InputErrors) -> Data? {
            guard let entry = archive[path] else { return nil }
            var out = Data()
            do { _ = try archive.extract(entry) { out.append($0) } } catch { throw fail("its part \(path) cannot be unpacked: the workbook is damaged") }
            return out
        }
        func decode<T: Decodable>(_ type: T.Type, _ path: String, trimming: Bool = true) throws(InputErrors) -> T? {
            guard let data = try part(path) else { return nil }
            let decoder = XMLDecoder(trimValueWhitespaces: trimming)
            decoder.shouldProcessNamespaces = true
            do { return try decoder.decode(T.self, from: data) } catch { throw fail("its part \(path) is not the XML a workbook has") }
        }
        guard let book = try decode(WorkbookXML.self, "xl/workbook.xml") else {
            throw fail("is a ZIP archive but not an XLSX workbook (no xl/workbook.xml); save it from the spreadsheet as .xlsx or CSV")
        }
        let names = book.sheets.items.map(\.name)
        guard let chosen = sheet.map({ name in book.sheets.items.first { $0.name == name } }) ?? book.sheets.items.first else {
            throw fail(names.isEmpty ? "has no sheet" : "has no sheet \"\(sheet!.prefix(40))\"" + Suggestions.phrase(for: sheet!, among: names)
                       + "; its sheets are " + names.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        let relations = try decode(RelationshipsXML.self, "xl/_rels/workbook.xml.rels")?.items ?? []
        guard let target = relations.first(where: { $0.id == chosen.relation })?.target else {
            throw fail("its sheet \"\(chosen.name)\" has no part: the workbook is damaged")
        }
        let sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        let shared = try decode(SharedStringsXML.self, "xl/sharedStrings.xml", trimming: false)?.items.map(\.text) ?? []
        guard let rows = try decode(WorksheetXML.self, sheetPath, trimming: false)?.sheetData.rows else {
            throw fail("its sheet \"\(chosen.name)\" (\(sheetPath)) is missing: the workbook is damaged")
        }
        var lines: [String] = [], next = 1
        for row in rows {
            let number = row.number ?? next
            guard number >= next else { continue }
            lines += Array(repeating: "", count: number - next)   // empty rows keep their numbers
            var cells: [String] = [], column = 0
            for cell in row.cells {
                let at = cell.reference.flatMap(Self.column) ?? column
                if at > cells.count { cells += Array(repeating: "", count: at - cells.count) }
                let value: String
                switch cell.type {
                case "s": value = Int(cell.value ?? "").flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? ""
                case "inlineStr": value = cell.inline?.text ?? ""
                case "b": value = cell.value == "1" ? "1" : "0"
                case "e": value = ""
                default: value = cell.value ?? ""
                }
                if at < cells.count { cells[at] = value } else { cells.append(value) }
                column = at + 1
            }
            while cells.last == "" { cells.removeLast() }
            lines.append(cells.map(Self.quoted).joined(separator: ","))
            next = number + 1
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// The column index of a cell reference: `A1` → 0, `AB12` → 27.
    static func column(_ reference: String) -> Int? {
        var k = 0, letters = 0
        for c in reference.uppercased().unicodeScalars {
            guard (65...90).contains(c.value) else { break }
            k = k * 26 + Int(c.value - 64)
            letters += 1
        }
        return letters > 0 ? k - 1 : nil
    }

    /// A cell as a CSV field (quoted when it holds a comma, a quote or a line break).
    static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

// MARK: - The XML parts, as much of them as is read

struct WorkbookXML: Decodable {
    struct Sheets: Decodable {
        let items: [Sheet]
        enum CodingKeys: String, CodingKey { case items = "sheet" }
    }
    struct Sheet: Decodable {
        let name: String
        let relation: String
        enum CodingKeys: String, CodingKey { case name, relation = "r:id" }
    }
    let sheets: Sheets
}

struct RelationshipsXML: Decodable {
    struct Relationship: Decodable {
        let id: String, target: String
        enum CodingKeys: String, CodingKey { case id = "Id", target = "Target" }
    }
    let items: [Relationship]
    enum CodingKeys: String, CodingKey { case items = "Relationship" }
}

/// A text item: its text `t`, or rich-text runs `r`, each with its `t` (phonetic runs left out).
struct TextItem: Decodable {
    struct Run: Decodable { let t: Text? }
    struct Text: Decodable {
        let value: String
        enum CodingKeys: String, CodingKey { case value = "" }
        init(from decoder: Decoder) throws {
            value = (try? decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .value))
                ?? (try? decoder.singleValueContainer().decode(String.self)) ?? ""
        }
    }
    let t: Text?
    let r: [Run]?
    var text: String { t?.value ?? (r ?? []).map { $0.t?.value ?? "" }.joined() }
}

struct SharedStringsXML: Decodable {
    let items: [TextItem]
    enum CodingKeys: String, CodingKey { case items = "si" }
}

struct WorksheetXML: Decodable {
    struct SheetData: Decodable {
        let rows: [Row]
        enum CodingKeys: String, CodingKey { case rows = "row" }
        init(from decoder: Decoder) throws {
            rows = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([Row].self, forKey: .rows) ?? []
        }
    }
    struct Row: Decodable {
        let number: Int?
        let cells: [Cell]
        enum CodingKeys: String, CodingKey { case number = "r", cells = "c" }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            number = try c.decodeIfPresent(String.self, forKey: .number).flatMap { Int($0) }
            cells = try c.decodeIfPresent([Cell].self, forKey: .cells) ?? []
        }
    }
    struct Cell: Decodable {
        let reference: String?, type: String?, value: String?
        let inline: TextItem?
        enum CodingKeys: String, CodingKey { case reference = "r", type = "t", value = "v", inline = "is" }
    }
    let sheetData: SheetData
}
