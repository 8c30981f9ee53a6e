import Foundation
import Testing
@testable import TwinningInput
@testable import TwinningIntake
@testable import TwinningOutput

/// XLSX read as CSV: a workbook made here part by part (shared and inline strings, rich
/// text, sparse cells, empty rows, a second sheet), and the damaged ones.
@Suite struct WorkbookTests {
    static func workbook(_ parts: [String: String]) throws -> Data {
        try XLSXWriter.zip(parts.sorted { $0.key < $1.key })
    }

    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let parts = [
        "xl/workbook.xml": """
            <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="\(main)" xmlns:r="\(relations)"><sheets>\
            <sheet name="Sign-ups" sheetId="1" r:id="rId7"/><sheet name="Notes" sheetId="2" r:id="rId8"/></sheets></workbook>
            """,
        "xl/_rels/workbook.xml.rels": """
            <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId7" Type="x" Target="worksheets/sheet1.xml"/><Relationship Id="rId8" Type="x" Target="/xl/worksheets/notes.xml"/></Relationships>
            """,
        "xl/sharedStrings.xml": """
            <?xml version="1.0" encoding="UTF-8"?><sst xmlns="\(main)"><si><t>Municipality</t></si><si><t>Country</t></si>\
            <si><r><t>Gmina </t></r><r><rPr><b/></rPr><t>Łańcut</t></r></si><si><t xml:space="preserve"> Kiel, "Stadt" </t></si></sst>
            """,
        "xl/worksheets/sheet1.xml": """
            <?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="\(main)"><sheetData>\
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>Partners</t></is></c></row>\
            <row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><t>PL</t></is></c><c r="D2"><v>2</v></c></row>\
            <row r="5"><c r="A5" t="s"><v>3</v></c><c r="B5" t="str"><f>"D"&amp;"E"</f><v>DE</v></c><c r="C5" t="b"><v>1</v></c><c r="D5"><v>0.5</v></c></row>\
            </sheetData></worksheet>
            """,
        "xl/worksheets/notes.xml": """
            <?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="\(main)"><sheetData/></worksheet>
            """,
    ]

    @Test("cells as the file stores them, in the spreadsheet's rows and columns; another sheet by name")
    func reads() throws {
        let data = try Self.workbook(Self.parts)
        let csv = try String(decoding: Workbook.csv(data, file: "b.xlsx"), as: UTF8.self)
        #expect(csv == "Municipality,Country,,Partners\nGmina Łańcut,PL,,2\n\n\n\" Kiel, \"\"Stadt\"\" \",DE,1,0.5\n")
        let table = try CSVTable.parse(Workbook.csv(data, file: "b.xlsx"), file: "b.xlsx")
        #expect(table.lines == [2, 5], "rows keep the spreadsheet's numbers")
        #expect(table.string(1, 0) == "Kiel, \"Stadt\"")
        #expect(try Workbook.csv(data, file: "b.xlsx", sheet: "Notes") == Data("\n".utf8))
        #expect(Workbook.column("A1") == 0 && Workbook.column("AB12") == 27 && Workbook.column("12") == nil)
    }

    @Test("a sheet it lacks, a damaged or foreign ZIP, a file that is no ZIP: errors naming the file and what to do", arguments: [
        ("no such sheet", "Signups", "b.xlsx: has no sheet \"Signups\"; did you mean \"Sign-ups\"?; its sheets are \"Sign-ups\", \"Notes\""),
        ("no workbook part", "-workbook", "b.xlsx: is a ZIP archive but not an XLSX workbook (no xl/workbook.xml)"),
        ("a part that is not XML", "-xml", "b.xlsx: its part xl/worksheets/sheet1.xml is not the XML a workbook has"),
        ("not a ZIP", "-zip", "b.xlsx: is not a readable XLSX workbook (not a ZIP archive)"),
    ])
    func refusals(_ row: (String, String, String)) throws {
        var parts = Self.parts, sheet: String? = row.1
        switch row.1 {
        case "-workbook": parts["xl/workbook.xml"] = nil; sheet = nil
        case "-xml": parts["xl/worksheets/sheet1.xml"] = "PK not xml <<"; sheet = nil
        default: break
        }
        let data = row.1 == "-zip" ? Data("PK\u{3}\u{4} but nothing after".utf8) : try Self.workbook(parts)
        #expect {
            _ = try Workbook.csv(data, file: "b.xlsx", sheet: sheet)
        } throws: { error in
            (error as? InputErrors)?.errors.first?.description.hasPrefix(row.2) == true
        }
    }
}

/// Workbooks written by the tool, read back by its own reader: the same cells, texts that
/// look like formulas kept as texts, the same bytes twice.
@Suite struct XLSXWriterTests {
    @Test("a table written as a sheet reads back cell for cell; =formulas stay text; deterministic bytes")
    func roundTrip() throws {
        let sheet = XLSXWriter.Sheet(name: "proposals: [draft]", header: ["name", "score", "count", "note"], rows: [
            [.text("Łańcut"), .number(0.41994, digits: 4), .integer(3), .text("=HYPERLINK(\"http://x\")")],
            [.text(" Kiel, \"Stadt\" "), .number(1, digits: 4), .missing, .text("a\u{1}b & <c>")],
        ])
        let data = try XLSXWriter.workbook([sheet, XLSXWriter.Sheet(name: "about", header: ["what"], rows: [[.text("x")]])])
        #expect(data == (try XLSXWriter.workbook([sheet, XLSXWriter.Sheet(name: "about", header: ["what"], rows: [[.text("x")]])])))
        let csv = String(decoding: try Workbook.csv(data, file: "o.xlsx"), as: UTF8.self)
        #expect(csv == "name,score,count,note\nŁańcut,0.4199,3,\"=HYPERLINK(\"\"http://x\"\")\"\n\" Kiel, \"\"Stadt\"\" \",1.0000,,ab & <c>\n")
        #expect(String(decoding: try Workbook.csv(data, file: "o.xlsx", sheet: "about"), as: UTF8.self) == "what\nx\n")
        #expect(XLSXWriter.columnName(0) == "A" && XLSXWriter.columnName(25) == "Z" && XLSXWriter.columnName(27) == "AB")
        #expect(XLSXWriter.sheetName("proposals: [draft]") == "proposals draft")
    }

    @Test("the sign-up templates' mappings read their own headings: a filled sheet needs no editing, on either side")
    func templateMapping() throws {
        let partners = SignupTemplate(side: .partners)
        var mapping = try IntakeMapping.parse(partners.mapping, file: "partners-mapping.yaml")
        #expect(mapping.name.name == partners.headings[0])
        var filled = partners.csv + "Stadt Kiel,Deutschland,,,2," + Array(repeating: "some", count: 17).joined(separator: ",") + ",A,a@b\n"
        var intake = try SignupIntake.run(export: CSVTable.parse(Data(filled.utf8), file: "sheet.csv"), mapping: mapping, index: IntakeTests.index)
        #expect(intake.rows.map(\.status) == [.resolved])
        #expect(intake.signUps.first?.offers == Array(repeating: 0.5, count: 17))
        #expect(intake.signUps.first?.slots == 2)
        let hromadas = SignupTemplate(side: .hromadas)
        mapping = try IntakeMapping.parse(hromadas.mapping, file: "hromadas-mapping.yaml")
        filled = hromadas.csv + "Агрономічна сільська громада,Vinnytsia Oblast,2,так," + Array(repeating: "strong", count: 17).joined(separator: ",") + ",A,a@b\n"
        intake = try SignupIntake.run(export: CSVTable.parse(Data(filled.utf8), file: "sheet.csv"), mapping: mapping, index: PlaceIndex(IntakeTests.hromadas))
        #expect(intake.rows.map(\.status) == [.resolved])
        #expect(intake.signUps.first?.offers == Array(repeating: 1, count: 17) && intake.signUps.first?.seeking == true)
    }
}
