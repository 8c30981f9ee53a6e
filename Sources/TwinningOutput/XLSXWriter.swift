import Foundation
import TwinningShared
import ZIPFoundation

/// Workbooks (XLSX) for the people who live in spreadsheets: each sheet a table with its
/// header frozen and filtered, texts as texts (inline strings: a cell beginning with `=`
/// stays text and is never run as a formula), numbers as numbers, and optional drop-down
/// lists. The parts are written by hand from the Office Open XML schema (ECMA-376,
/// SpreadsheetML) and zipped with ZIPFoundation, with a fixed date on every entry, so
/// the same tables give the same bytes.
public enum XLSXWriter {
    /// One sheet: its name (at most 31 characters, no `[]:*?/\`), header and rows.
    public struct Sheet: Sendable {
        public var name: String
        public var header: [String]
        public var rows: [[Cell]]
        /// Columns whose cells (below the header, for `listRows` rows) offer a drop-down list.
        public var choices: [(column: Int, values: [String])]
        public var listRows: Int

        public init(name: String, header: [String], rows: [[Cell]], choices: [(column: Int, values: [String])] = [], listRows: Int = 0) {
            self.name = name; self.header = header; self.rows = rows; self.choices = choices; self.listRows = listRows
        }
    }

    /// The workbook of `sheets`, in order.
    public static func workbook(_ sheets: [Sheet]) throws(OutputError) -> Data {
        var parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes(sheets.count)),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="\(packageRelations)"><Relationship Id="rId1" Type="\(officeRelations)/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """),
            ("xl/workbook.xml", workbookPart(sheets)),
            ("xl/_rels/workbook.xml.rels", workbookRelations(sheets.count)),
            ("xl/styles.xml", styles),
        ]
        for (k, sheet) in sheets.enumerated() { parts.append(("xl/worksheets/sheet\(k + 1).xml", worksheet(sheet, index: k))) }
        do { return try zip(parts) } catch { throw OutputError(.cannotWrite, path: "", "the workbook could not be made: \(error)") }
    }

    /// Parts (path, XML text) zipped in order, deflated, every entry with ``fixedDate``.
    package static func zip(_ parts: [(String, String)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: fixedDate,
                                 compressionMethod: .deflate) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        guard let data = archive.data else { throw Archive.ArchiveError.unwritableArchive }
        return data
    }

    /// Every entry's date: the same bytes for the same tables, whenever they are written.
    static let fixedDate = Date(timeIntervalSince1970: 1_262_304_000)   // 2010-01-01
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let officeRelations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let packageRelations = "http://schemas.openxmlformats.org/package/2006/relationships"

    static func contentTypes(_ count: Int) -> String {
        let sheets = (0..<count).map { $0 + 1 }.map {
            "<Override PartName=\"/xl/worksheets/sheet\($0).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            \(sheets)</Types>
            """
    }

    static func workbookPart(_ sheets: [Sheet]) -> String {
        let list = sheets.enumerated().map { k, s in "<sheet name=\"\(escaped(sheetName(s.name)))\" sheetId=\"\(k + 1)\" r:id=\"rId\(k + 1)\"/>" }.joined()
        // Each filtered range named as spreadsheet programs name it, so the filter buttons show.
        let filters = sheets.enumerated().compactMap { k, s -> String? in
            guard !s.header.isEmpty else { return nil }
            return "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(k)\" hidden=\"1\">'\(escaped(sheetName(s.name)).replacingOccurrences(of: "'", with: "''"))'!"
                + "$A$1:$\(columnName(s.header.count - 1))$\(s.rows.count + 1)</definedName>"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="\(main)" xmlns:r="\(officeRelations)"><sheets>\(list)</sheets>\
            \(filters.isEmpty ? "" : "<definedNames>\(filters)</definedNames>")</workbook>
            """
    }

    static func workbookRelations(_ count: Int) -> String {
        let sheets = (0..<count).map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"\(officeRelations)/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="\(packageRelations)">\(sheets)\
            <Relationship Id="rId\(count + 1)" Type="\(officeRelations)/styles" Target="styles.xml"/></Relationships>
            """
    }

    /// Two cell styles: the default, and bold on grey for the header.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="\(main)"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
        <font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
        <fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
        <fill><patternFill patternType="solid"><fgColor rgb="FFE8E8E8"/><bgColor indexed="64"/></patternFill></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """

    static func worksheet(_ sheet: Sheet, index: Int) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"\(main)\" xmlns:r=\"\(officeRelations)\">"
        xml += "<sheetViews><sheetView workbookViewId=\"0\"\(index == 0 ? " tabSelected=\"1\"" : "")>"
            + "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
        if !sheet.header.isEmpty {
            // Widths from the longest text of each column (in characters, capped), for reading.
            xml += "<cols>"
            for k in sheet.header.indices {
                let longest = sheet.rows.prefix(200).reduce(sheet.header[k].count) { m, row in
                    k < row.count ? max(m, row[k].csv.count) : m
                }
                xml += "<col min=\"\(k + 1)\" max=\"\(k + 1)\" width=\"\(min(60, max(8, longest + 2)))\" customWidth=\"1\"/>"
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        xml += row(1, sheet.header.map(Cell.text), style: 1)
        for (r, cells) in sheet.rows.enumerated() { xml += row(r + 2, cells, style: 0) }
        xml += "</sheetData>"
        if !sheet.header.isEmpty {
            xml += "<autoFilter ref=\"A1:\(columnName(sheet.header.count - 1))\(sheet.rows.count + 1)\"/>"
        }
        if !sheet.choices.isEmpty {
            let last = max(sheet.rows.count, sheet.listRows) + 1
            xml += "<dataValidations count=\"\(sheet.choices.count)\">"
            for (column, values) in sheet.choices {
                let list = values.map { escaped($0.replacingOccurrences(of: "\"", with: "")) }.joined(separator: ",")
                let at = columnName(column)
                xml += "<dataValidation type=\"list\" allowBlank=\"1\" showErrorMessage=\"1\" sqref=\"\(at)2:\(at)\(last)\">"
                    + "<formula1>\"\(list)\"</formula1></dataValidation>"
            }
            xml += "</dataValidations>"
        }
        return xml + "</worksheet>"
    }

    static func row(_ number: Int, _ cells: [Cell], style: Int) -> String {
        var xml = "<row r=\"\(number)\">"
        let s = style > 0 ? " s=\"\(style)\"" : ""
        for (k, cell) in cells.enumerated() {
            let at = "\(columnName(k))\(number)"
            switch cell {
            case .missing: continue
            case let .integer(x): xml += "<c r=\"\(at)\"\(s)><v>\(x)</v></c>"
            case let .number(x, digits):
                guard x.isFinite else { continue }
                xml += "<c r=\"\(at)\"\(s)><v>\(Decimals.fixed(x, digits))</v></c>"
            case .text, .structured:
                let text = cell.csv
                let space = text.first?.isWhitespace == true || text.last?.isWhitespace == true ? " xml:space=\"preserve\"" : ""
                xml += "<c r=\"\(at)\" t=\"inlineStr\"\(s)><is><t\(space)>\(escaped(text))</t></is></c>"
            }
        }
        return xml + "</row>"
    }

    /// `0` → `A`, `27` → `AB`.
    static func columnName(_ k: Int) -> String {
        var k = k + 1, name = ""
        while k > 0 {
            let r = (k - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            k = (k - 1) / 26
        }
        return name
    }

    /// A sheet name as spreadsheet programs accept it.
    static func sheetName(_ name: String) -> String {
        let cleaned = String(name.filter { !"[]:*?/\\".contains($0) }.prefix(31))
        return cleaned.isEmpty ? "Sheet" : cleaned
    }

    /// Text as XML character data: markup escaped, characters XML 1.0 forbids left out.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
