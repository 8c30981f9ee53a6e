import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// One case per problem a registry file can have: the exact message and location a user gets.
@Suite struct BadInputTests {
    static let header = "id,name,level,country,population,lat,lon,need_energy,need_water"
    static let good = "UA1,Alpha,city,UA,1000,50.1,30.2,0.5,0.1"

    static let cases: [(String, String, String)] = [
        ("missing column", "id,name,level,country,population,lat,need_energy\nUA1,A,city,UA,10,50,0.5",
         "h.csv:1: missing column \"lon\""),
        ("duplicate column", header + ",lat\n" + good + ",50", "h.csv:1:10: duplicate column \"lat\" (also column 6)"),
        ("duplicate id", header + "\n" + good + "\n" + good, "h.csv:3:1: duplicate id \"UA1\" (first on line 2)"),
        ("non-numeric", header + "\nUA1,A,city,UA,many,50,30,0.5,0.1", "h.csv:2:5: population must be a finite number, found \"many\""),
        ("NaN", header + "\nUA1,A,city,UA,10,NaN,30,0.5,0.1", "h.csv:2:6: lat must be a finite number, found \"NaN\""),
        ("infinity", header + "\nUA1,A,city,UA,10,50,inf,0.5,0.1", "h.csv:2:7: lon must be a finite number, found \"inf\""),
        ("negative population", header + "\nUA1,A,city,UA,-12,50,30,0.5,0.1", "h.csv:2:5: population must be a positive number, found \"-12\""),
        ("latitude out of range", header + "\nUA1,A,city,UA,10,95,30,0.5,0.1", "h.csv:2:6: lat must be between -90 and 90, found 95"),
        ("longitude out of range", header + "\nUA1,A,city,UA,10,50,200,0.5,0.1", "h.csv:2:7: lon must be between -180 and 180, found 200"),
        ("unknown sector", "id,name,level,country,population,lat,lon,need_enrgy\nUA1,A,city,UA,10,50,30,0.5",
         "h.csv:1:8: unknown sector \"enrgy\"; did you mean \"energy\"?"),
        ("other side's column", header + ",offer_water\n" + good + ",0.3", "h.csv:1:10: column \"offer_water\" belongs to the other side"),
        ("need out of range", header + "\nUA1,A,city,UA,10,50,30,1.5,0.1", "h.csv:2:8: need_energy must be between 0 and 1, found 1.5"),
        ("blank name", header + "\nUA1,\"   \",city,UA,10,50,30,0.5,0.1",
         "h.csv:2:2: name is empty: every place needs a name people can read"),
        ("bad level", header + "\nUA1,A,town,UA,10,50,30,0.5,0.1", "h.csv:2:3: level must be one of village, settlement, city, region"),
        ("bad country", header + "\nUA1,A,city,Ukraine,10,50,30,0.5,0.1", "h.csv:2:4: country must be an ISO 3166-1 alpha-2 code"),
        ("ragged row", header + "\nUA1,A,city,UA,10,50,30,0.5", "h.csv:2: has 8 fields, expected 9 as in the header"),
        ("empty file", "", "h.csv: is empty"),
        ("header only", header + "\n", "h.csv: has a header but no data rows"),
        ("unclosed quote", header + "\nUA1,\"Alpha,city,UA,10,50,30,0.5,0.1", "h.csv:2:2: quoted field is never closed"),
    ]

    @Test("a registry saved by Excel under Ukrainian, German or Polish settings (semicolons, decimal commas) or as Unicode text (tabs) reads as the comma file")
    func spreadsheetSeparators() throws {
        let comma = try Registry.parse(Data((Self.header + "\n" + Self.good + "\n").utf8), file: "h.csv", side: .hromadas)
        let semicolon = try Registry.parse(Data((Self.header.replacingOccurrences(of: ",", with: ";") + "\n"
            + Self.good.replacingOccurrences(of: ",", with: ";").replacingOccurrences(of: ".", with: ",") + "\n").utf8), file: "h.csv", side: .hromadas)
        let tabs = try Registry.parse(Data((Self.header.replacingOccurrences(of: ",", with: "\t") + "\n"
            + Self.good.replacingOccurrences(of: ",", with: "\t") + "\n").utf8), file: "h.csv", side: .hromadas)
        for other in [semicolon, tabs] {
            #expect(other.ids == comma.ids && other.populations == comma.populations && other.latitudes == comma.latitudes)
            #expect((0..<comma.sectors.count).map { other.sectorValues[0, $0] } == (0..<comma.sectors.count).map { comma.sectorValues[0, $0] })
        }
    }

    @Test("a ties file for other registries: one line with the fix, not one error per tie; a few unknown ids each with its line")
    func tiesForOtherRegistries() throws {
        let h = try Registry.parse(Data((Self.header + "\n" + Self.good + "\n").utf8), file: "h.csv", side: .hromadas)
        let p = try Registry.parse(Data("id,name,level,country,population,lat,lon,offer_energy\nPL_1,K,city,PL,10,50,20,0.5\n".utf8),
                                   file: "mine.csv", side: .partners)
        let many = "ua_id,eu_id,status\n" + (0..<757).map { "UA1,DE_\($0),existing\n" }.joined()
        do {
            _ = try Ties.parse(Data(many.utf8), file: "ties.csv", hromadas: h, partners: p)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.description) == [
                "ties.csv: 757 of its 757 ties name partners that are not in mine.csv (the first on line 2: \"DE_0\"): the ties are for "
                    + "another partners file; give the ties of these partners with --ties FILE, or none with --ties ''"])
        }
        do {
            _ = try Ties.parse(Data("ua_id,eu_id,status\nUA1,DE_1,existing\nUA1,PL_1,existing\n".utf8), file: "ties.csv", hromadas: h, partners: p)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.description) == ["ties.csv:2:2: unknown partner id \"DE_1\" (not in mine.csv)"])
        }
    }

    @Test("each malformed input is reported at its line and column", arguments: cases.indices)
    func catalogue(_ k: Int) {
        let (what, text, expected) = Self.cases[k]
        do {
            _ = try Registry.parse(Data(text.utf8), file: "h.csv", side: .hromadas)
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.errors.first?.description.hasPrefix(expected) == true, "\(what): got \(error.description)")
        }
    }

    @Test("wrong encoding names the first bad line")
    func encoding() {
        var bytes = Array((Self.header + "\n" + Self.good + "\nUA2,").utf8)
        bytes += [0xC3, 0x28] + Array(",city,UA,10,50,30,0.5,0.1\n".utf8)
        do {
            _ = try Registry.parse(Data(bytes), file: "h.csv", side: .hromadas)
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("h.csv:3: is not valid UTF-8 text"))
        }
    }

    @Test("all problems of a file come out in one pass, in file order")
    func onePass() {
        let text = Self.header + "\nUA1,A,city,UA,-1,50,30,0.5,0.1\nUA2,B,city,UA,10,99,30,x,0.1\n"
        do {
            _ = try Registry.parse(Data(text.utf8), file: "h.csv", side: .hromadas)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map { "\($0.line):\($0.column)" } == ["2:5", "3:6", "3:8"])
        }
    }

    @Test("BOM, CRLF, quoted fields with commas and doubled quotes are read")
    func wellFormedVariants() throws {
        let text = "\u{FEFF}" + Self.header + "\r\n" + "UA1,\"Alpha, \"\"Upper\"\"\",city,UA,1000,50.1,30.2,0.5,0.1\r\n\r\n"
        let r = try Registry.parse(Data(text.utf8), file: "h.csv", side: .hromadas)
        #expect(r.names == ["Alpha, \"Upper\""])
        #expect(r.sectors == [.energy, .water])
        #expect(r.lines == [2])
        // A line break inside a quoted field: the next record's line is still right.
        let multiline = Self.header + "\nUA1,\"Alpha\nNorth\",city,UA,1000,50.1,30.2,0.5,0.1\nUA2,B,city,UA,-1,50,30,0.5,0.1\n"
        do {
            _ = try Registry.parse(Data(multiline.utf8), file: "h.csv", side: .hromadas)
            Issue.record("accepted")
        } catch {
            #expect(error.description == "h.csv:4:5: population must be a positive number, found \"-1\"")
        }
    }
}

@Suite struct JSONAndTiesTests {
    static let hromadas = try! Registry.parse(Data("""
        id,name,level,country,population,lat,lon,need_energy
        UA1,A,city,UA,1000,50,30,0.5
        UA2,B,village,UA,200,49,31,0.1

        """.utf8), file: "h.csv", side: .hromadas)
    static let partners = try! Registry.parse(Data("""
        id,name,level,country,population,lat,lon,offer_energy
        PL_1,P,city,PL,5000,52,21,0.9

        """.utf8), file: "p.csv", side: .partners)

    @Test("JSON registries read like CSV, problems named by record and key")
    func json() throws {
        let good = #"[{"id":"UA1","name":"A","level":"city","country":"UA","population":1000,"lat":50,"lon":30,"need_energy":0.5}]"#
        let r = try Registry.parseJSON(Data(good.utf8), file: "h.json", side: .hromadas)
        #expect(r.ids == ["UA1"] && r.populations == [1000] && r.sectors == [.energy])
        let bad = #"[{"id":"UA1","name":"A","level":"city","country":"UA","population":1000,"lat":50,"lon":30,"need_energy":0.5},"#
            + #"{"id":"UA2","name":"B","level":"city","country":"UA","population":"many","lat":50,"lon":30,"need_energy":2}]"#
        do {
            _ = try Registry.parseJSON(Data(bad.utf8), file: "h.json", side: .hromadas)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.description) == [
                "h.json: record 2, key \"population\": population must be a finite number, found \"many\"",
                "h.json: record 2, key \"need_energy\": need_energy must be between 0 and 1, found 2",
            ])
        }
        #expect(throws: InputErrors.self) { try Registry.parseJSON(Data("{".utf8), file: "h.json", side: .hromadas) }
    }

    @Test("ties naming unknown ids, bad statuses and repeated pairs are errors at their line")
    func ties() throws {
        let text = "ua_id,eu_id,status\nUA1,PL_1,existing\nUA9,PL_1,accepted\nUA2,PL_1,maybe\nUA1,PL_1,rejected\n"
        do {
            _ = try Ties.parse(Data(text.utf8), file: "t.csv", hromadas: Self.hromadas, partners: Self.partners)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.description) == [
                "t.csv:3:1: unknown hromada id \"UA9\" (not in h.csv); did you mean \"UA1\" or \"UA2\"?",
                "t.csv:4:3: status must be existing, accepted or rejected, found \"maybe\"",
                "t.csv:5: pair UA1, PL_1 is listed twice (first on line 2)",
            ])
        }
        let ok = try Ties.parse(Data("ua_id,eu_id,status\nUA2,PL_1,rejected\n".utf8), file: "t.csv",
                                hromadas: Self.hromadas, partners: Self.partners)
        #expect(ok == [Tie(hromada: 1, partner: 0, status: .rejected, source: Provenance("rejected", .file(path: "t.csv", line: 2)))])
    }
}

/// Large files are scanned and checked in halves on two cores: records, lines and
/// problems must come out exactly as one pass would give them.
@Suite struct LargeFileTests {
    @Test("a 2 MB registry with quoted line breaks: every row read, problems in file order at their true lines")
    func halves() throws {
        var text = "id,name,level,country,population,lat,lon,need_energy\n"
        var line = 2, expected: [String] = [], lineOf: [Int] = []
        for r in 0..<30_000 {
            let id = r == 20_000 ? "UA5" : "UA\(r)"   // a duplicate of row 5, in the second half
            var name = "Name \(r)"
            if r % 997 == 0 { name = "\"North,\nSouth \"\"\(r)\"\"\"" }   // a quoted field over two lines
            let population = r == 29_000 ? "-3" : "\(1000 + r)"
            if r == 20_000 { expected.append("h.csv:\(line):1: duplicate id \"UA5\" (first on line \(lineOf[5]))") }
            if r == 29_000 { expected.append("h.csv:\(line):5: population must be a positive number, found \"-3\"") }
            text += "\(id),\(name),city,UA,\(population),50,30,0.5\n"
            lineOf.append(line)
            line += name.contains("\n") ? 2 : 1
        }
        #expect(text.utf8.count > 1 << 20)
        do {
            _ = try Registry.parse(Data(text.utf8), file: "h.csv", side: .hromadas)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.description) == expected)
        }
        let clean = text.replacingOccurrences(of: "UA5,Name 20000", with: "UA20000,Name 20000")
            .replacingOccurrences(of: ",-3,", with: ",3,")
        let r = try Registry.parse(Data(clean.utf8), file: "h.csv", side: .hromadas)
        #expect(r.count == 30_000)
        #expect(r.names[997] == "North,\nSouth \"997\"")
        #expect(r.lines == lineOf)
        #expect(r.populations[29_000] == 3)
    }

    @Test("a 2 MB file broken in its second half: an unclosed quote or a byte that is not UTF-8 named at its true line")
    func brokenSecondHalf() throws {
        var lines = ["id,name,level,country,population,lat,lon,need_energy"]
        for r in 0..<30_000 { lines.append("UA\(r),\(r % 997 == 0 ? "\"North,\nSouth\"" : "Name \(r)"),city,UA,1000,50,30,0.5") }
        let text = lines.joined(separator: "\n") + "\n"
        // Line of record r: the header, then one line per record, two for the quoted ones before it.
        func line(of r: Int) -> Int { 2 + r + (0..<r).filter { $0 % 997 == 0 }.count }
        let unclosed = text.replacingOccurrences(of: "UA29950,Name 29950", with: "UA29950,\"Name 29950")
        #expect(throws: InputErrors.self) { try Registry.parse(Data(unclosed.utf8), file: "h.csv", side: .hromadas) }
        do {
            _ = try Registry.parse(Data(unclosed.utf8), file: "h.csv", side: .hromadas)
        } catch {
            #expect(error.description.hasPrefix("h.csv:\(line(of: 29_950)):2: quoted field is never closed"), "\(error.description.prefix(200))")
        }
        var bytes = Array(text.utf8)
        let at = try #require(text.utf8.firstRange(of: "Name 27000".utf8)).lowerBound
        bytes[text.utf8.distance(from: text.utf8.startIndex, to: at)] = 0xC3
        do {
            _ = try Registry.parse(Data(bytes), file: "h.csv", side: .hromadas)
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("h.csv:\(line(of: 27_000)): is not valid UTF-8 text"), "\(error.description.prefix(200))")
        }
    }
}
