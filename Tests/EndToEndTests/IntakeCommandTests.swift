import Foundation
import Testing
import TwinningTestSupport

/// `twinning intake partners` as a coordinator runs it: an export, a person's choices
/// taken back with `--resolved`, the overlay laid over the registry; files that are not
/// exports refused with nothing written.
@Suite struct IntakeCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    func setUp() throws -> URL {
        let dir = try scratchDirectory()
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Data"), withDestinationURL: Self.root.appendingPathComponent("Data"))
        try "name: Municipality\ncountry: Country\nslots: Partners\noffers:\n  energy: Energy\nkeep: [Email]\n"
            .write(to: dir.appendingPathComponent("map.yaml"), atomically: true, encoding: .utf8)
        // Excel's "Unicode text": UTF-16 with a BOM, tabs.
        var export = Data([0xFF, 0xFE])
        export.append("Municipality\tCountry\tPartners\tEnergy\tEmail\r\nŚwidnica\tPolska\t2\tstrong\ts@x.pl\r\nKiel-Stadt\tDE\t1\tsome\tk@x.de\r\n"
            .data(using: .utf16LittleEndian)!)
        try export.write(to: dir.appendingPathComponent("export.txt"))
        return dir
    }

    @Test("an ambiguous sign-up settled by a person with --resolved; the overlay makes it a volunteer in match")
    func resolvedByAPerson() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        var result = try runTwinning(["intake", "partners", "export.txt", "--mapping", "map.yaml", "--out", "first"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("2 sign-ups: 1 resolved, 1 ambiguous, 0 unresolved, 0 duplicate"), "\(result.stdout)")
        // The person picks the first candidate of the ambiguous row.
        let resolution = try String(contentsOf: dir.appendingPathComponent("first/resolution.csv"), encoding: .utf8)
        var lines = resolution.components(separatedBy: "\n")
        let row = try #require(lines.firstIndex { $0.hasPrefix("2,Świdnica,PL,ambiguous,") })
        var cells = lines[row].components(separatedBy: ",")
        let header = lines[0].components(separatedBy: ",")
        let candidate = cells[header.firstIndex(of: "candidate_1_id")!]
        cells[header.firstIndex(of: "id")!] = candidate
        lines[row] = cells.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("chosen.csv"), atomically: true, encoding: .utf8)
        result = try runTwinning(["intake", "partners", "export.txt", "--mapping", "map.yaml", "--out", "second", "--resolved", "chosen.csv"], in: dir)
        #expect(result.stdout.hasPrefix("2 sign-ups: 2 resolved, 0 ambiguous"), "\(result.stdout)\(result.stderr)")
        let overlay = try String(contentsOf: dir.appendingPathComponent("second/partners.csv"), encoding: .utf8)
        #expect(overlay.contains("\(candidate),Świdnica,PL,1,2,signup,2,1,"), "\(overlay)")
        #expect(overlay.contains("s@x.pl"))
        result = try runTwinning(["match", "--signups", "second/partners.csv", "--out", "m", "--format", "all"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try String(contentsOf: dir.appendingPathComponent("m/proposals.json"), encoding: .utf8)
        #expect(json.contains("\"signups\""), "the overlay is recorded among the inputs")
        for file in ["proposals.json", "proposals.csv", "alternatives.csv", "report.html"] {
            let text = try String(contentsOf: dir.appendingPathComponent("m/\(file)"), encoding: .utf8)
            #expect(!text.contains("s@x.pl") && !text.contains("k@x.de"), "contacts stay in the overlay unless asked for: \(file)")
        }
        // Asked for: the proposals carry each side's contacts.
        result = try runTwinning(["match", "--signups", "second/partners.csv", "--out", "c", "--format", "csv", "--contacts"], in: dir)
        let proposals = try String(contentsOf: dir.appendingPathComponent("c/proposals.csv"), encoding: .utf8)
        #expect(proposals.hasPrefix("hromada_id") && proposals.components(separatedBy: "\n")[0].hasSuffix(",hromada_contacts,partner_contacts"))
        #expect(proposals.contains("Email: s@x.pl") || proposals.contains("Email: k@x.de"), "\(result.stderr)")
    }

    @Test("needs back on: with the example sign-ups the fit counts for 30 % of their pairs' scores, moves proposals towards offers that meet needs, and is said to be absent for synthetic offers")
    func needsBackOn() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("examples"), withDestinationURL: Self.root.appendingPathComponent("examples"))
        var result = try runTwinning(["intake", "partners", "examples/signups/partners-export.csv", "--mapping", "examples/signups/partners-mapping.yaml",
                                      "--out", "s"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        try "fit_share: 0\n".write(to: dir.appendingPathComponent("off.yaml"), atomically: true, encoding: .utf8)
        for (out, extra) in [("on", [String]()), ("off", ["--weights", "off.yaml"])] {
            result = try runTwinning(["match", "--signups", "s/partners.csv", "--out", out, "--format", "both"] + extra, in: dir)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let on = try CSVRows(dir.appendingPathComponent("on/proposals.csv")), off = try CSVRows(dir.appendingPathComponent("off/proposals.csv"))
        func signedUp(_ rows: [[String: String]]) -> [Double] { rows.compactMap { Double($0["fit"]!) } }
        func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }
        #expect(on.count == off.count)
        // More proposals go to sign-ups, and those proposed meet the hromadas' needs better.
        #expect(signedUp(on).count > signedUp(off).count && mean(signedUp(on)) > mean(signedUp(off)) + 0.05,
                "\(signedUp(on).count) vs \(signedUp(off).count), mean fit \(mean(signedUp(on))) vs \(mean(signedUp(off)))")
        let moved = Set(on.map { $0["hromada_id"]! + $0["partner_id"]! }).subtracting(off.map { $0["hromada_id"]! + $0["partner_id"]! })
        #expect(moved.count >= on.count / 10, "\(moved.count) proposals moved")
        for row in on {
            let score = Double(row["score"]!)!
            if let fit = Double(row["fit"]!) {
                #expect(row["fit_note"] == "fit is 30% of the score")
                #expect(fit >= 0 && fit <= 1 && score >= 0.3 * fit - 1e-4, "\(row)")
            } else {
                #expect(row["fit_note"]!.hasPrefix("no fit (the partner's offers are synthetic): scored with the hromada's typical fit 0."), "\(row)")
            }
        }
        let json = try String(contentsOf: dir.appendingPathComponent("on/proposals.json"), encoding: .utf8)
        #expect(json.contains("\"fit_share\":0.3") && json.contains("\"fit_note\":\"fit is 30% of the score\""))
        // Without sign-ups nothing has a fit: the README's first proposals say so.
    }

    @Test("a file that is not an export, an output folder that exists: clear errors, nothing written")
    func refusals() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([0x50, 0x4B, 0x03, 0x04, 0xFF, 0x00, 0xC3, 0x28]).write(to: dir.appendingPathComponent("book.xlsx"))
        var result = try runTwinning(["intake", "partners", "book.xlsx", "--mapping", "map.yaml", "--out", "o"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("book.xlsx: is not a readable XLSX workbook (not a ZIP archive)"), "\(result.stderr)")
        try Data([0x00, 0xFF, 0xC3, 0x28, 0x0A]).write(to: dir.appendingPathComponent("photo.jpg"))
        result = try runTwinning(["intake", "partners", "photo.jpg", "--mapping", "map.yaml", "--out", "o"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("photo.jpg:1: is not valid UTF-8 text"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("o"), withIntermediateDirectories: true)
        result = try runTwinning(["intake", "partners", "export.txt", "--mapping", "map.yaml", "--out", "o"], in: dir)
        #expect(result.status == 73, "\(result.stderr)")
    }

    @Test("the example export saved as XLSX by LibreOffice goes through intake with the same result as the CSV",
          .tags(.spreadsheet), .enabled(if: Tool.libreOffice, "needs LibreOffice (apt-get install libreoffice-calc)"))
    func libreOfficeWorkbook() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = Self.root.appendingPathComponent("examples/signups")
        try FileManager.default.copyItem(at: example.appendingPathComponent("partners-export.csv"), to: dir.appendingPathComponent("export.csv"))
        // 59 = ';', 34 = '"', 76 = UTF-8: the example as a person opens it in Calc, saved as .xlsx.
        let converted = try runProcess(URL(fileURLWithPath: Tool.soffice), ["--headless", "-env:UserInstallation=file://\(dir.path)/lo-profile",
                                       "--infilter=CSV:59,34,76,1", "--convert-to", "xlsx", "export.csv"], in: dir)
        #expect(converted.status == 0, "\(converted.stderr)")
        let mapping = example.appendingPathComponent("partners-mapping.yaml").path
        for (source, out) in [("export.csv", "from-csv"), ("export.xlsx", "from-xlsx")] {
            let result = try runTwinning(["intake", "partners", source, "--mapping", mapping, "--out", out], in: dir)
            #expect(result.status == 0, "\(source): \(result.stderr)")
        }
        for file in ["resolution.csv", "partners.csv"] {
            let csv = try Data(contentsOf: dir.appendingPathComponent("from-csv/\(file)"))
            let xlsx = try Data(contentsOf: dir.appendingPathComponent("from-xlsx/\(file)"))
            #expect(csv == xlsx, "\(file) differs between the CSV and the XLSX export")
        }
    }
}
