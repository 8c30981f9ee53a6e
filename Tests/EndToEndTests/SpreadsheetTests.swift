import Foundation
import Testing
import TwinningTestSupport

/// The workbooks the tool writes, opened by real spreadsheet software: LibreOffice Calc,
/// headless, saves each sheet as CSV, and the cells must be the ones the CSV files hold.
@Suite(.tags(.spreadsheet), .enabled(if: Tool.libreOffice, "needs LibreOffice (apt-get install libreoffice-calc)"))
struct SpreadsheetTests {
    /// Every sheet of `workbook` as LibreOffice saves it to CSV (comma, UTF-8), by sheet name.
    static func sheetsAsCalcSees(_ workbook: String, in dir: URL) throws -> [String: [[String]]] {
        let out = dir.appendingPathComponent("calc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // 44 = ',', 34 = '"', 76 = UTF-8; the last -1: every sheet, each to NAME-SHEET.csv.
        let run = try runProcess(URL(fileURLWithPath: Tool.soffice), [
            "--headless", "-env:UserInstallation=file://\(dir.path)/lo-profile", "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", out.path, workbook,
        ], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        var sheets: [String: [[String]]] = [:]
        let base = (workbook as NSString).lastPathComponent.replacingOccurrences(of: ".xlsx", with: "")
        for file in try FileManager.default.contentsOfDirectory(atPath: out.path) where file.hasSuffix(".csv") {
            let name = String(file.dropFirst(base.count + 1).dropLast(4))
            sheets[name] = try Self.rows(String(contentsOf: out.appendingPathComponent(file), encoding: .utf8))
        }
        return sheets
    }

    /// CSV rows (quotes and doubled quotes undone; enough for these files).
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, previous: Character = " "
        for c in text {
            if quoted {
                if c == "\"" { quoted = false } else { field.append(c) }
            } else if c == "\"" {
                if previous == "\"" { field.append("\"") }
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else if c != "\r" {
                field.append(c)
            }
            previous = c
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// Two cells are the same when equal as text, or as numbers (Calc shows 0.5 for 0.5000).
    static func same(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Double(a), let y = Double(b) else { return false }
        return abs(x - y) <= 1e-9 * max(1, abs(x))
    }

    @Test("match --format xlsx: Calc reads every sheet with the CSV files' cells; a text that looks like a formula stays text")
    func proposalsWorkbook() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = ReadmeTests.root
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Data"), withDestinationURL: root.appendingPathComponent("Data"))
        let result = try runTwinning(["match", "--out", "p", "--format", "all"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let sheets = try Self.sheetsAsCalcSees(dir.appendingPathComponent("p/proposals.xlsx").path, in: dir)
        #expect(Set(sheets.keys) == ["proposals", "alternatives", "unmatched", "about"], "\(sheets.keys)")
        for name in ["proposals", "alternatives", "unmatched"] {
            let csv = Self.rows(try String(contentsOf: dir.appendingPathComponent("p/\(name).csv"), encoding: .utf8))
            let calc = try #require(sheets[name])
            #expect(calc.count == csv.count, "\(name): \(calc.count) rows in Calc, \(csv.count) in the CSV")
            var differing: [String] = []
            for (r, (a, b)) in zip(csv, calc).enumerated() {
                for k in 0..<max(a.count, b.count) where !Self.same(k < a.count ? a[k] : "", k < b.count ? b[k] : "") {
                    differing.append("\(name) row \(r + 1) column \(k + 1): CSV \(k < a.count ? a[k] : "") Calc \(k < b.count ? b[k] : "")")
                }
            }
            #expect(differing.isEmpty, "\(differing.prefix(5))")
        }
        #expect(sheets["about"]?.contains { $0.first == "data" } == true, "the data's attribution travels with the workbook")
    }

    @Test("intake template: Calc shows the headings and the drop-downs' sheet; a sheet filled and saved by Calc goes through intake unedited")
    func template() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Data"), withDestinationURL: ReadmeTests.root.appendingPathComponent("Data"))
        var result = try runTwinning(["intake", "template", "--out", "t"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let sheets = try Self.sheetsAsCalcSees(dir.appendingPathComponent("t/partners-signup.xlsx").path, in: dir)
        let headings = try #require(sheets.values.first?.first)
        let csvHeadings = Self.rows(try String(contentsOf: dir.appendingPathComponent("t/partners-signup.csv"), encoding: .utf8)
            .replacingOccurrences(of: "\u{FEFF}", with: "")).first
        #expect(headings == csvHeadings)
        // A person fills two rows in the CSV sheet; Calc saves it as XLSX; intake reads both as they are.
        let filled = try String(contentsOf: dir.appendingPathComponent("t/partners-signup.csv"), encoding: .utf8)
            + "Gmina Łańcut,Polska,1006181351004,,2," + Array(repeating: "strong", count: 17).joined(separator: ",") + ",Anna,a@x.pl\n"
            + "Kiel-Stadt,Germany,,,1," + Array(repeating: "none", count: 17).joined(separator: ",") + ",Bernd,b@x.de\n"
        try filled.write(to: dir.appendingPathComponent("filled.csv"), atomically: true, encoding: .utf8)
        let converted = try runProcess(URL(fileURLWithPath: Tool.soffice), ["--headless", "-env:UserInstallation=file://\(dir.path)/lo-profile",
                                       "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "filled.csv"], in: dir)
        #expect(converted.status == 0, "\(converted.stderr)")
        for (source, out) in [("filled.csv", "a"), ("filled.xlsx", "b")] {
            result = try runTwinning(["intake", "partners", source, "--mapping", "t/partners-mapping.yaml", "--out", out], in: dir)
            #expect(result.stdout.hasPrefix("2 sign-ups: 2 resolved"), "\(source): \(result.stdout)\(result.stderr)")
        }
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/partners.csv")) == Data(contentsOf: dir.appendingPathComponent("b/partners.csv")))
    }
}
