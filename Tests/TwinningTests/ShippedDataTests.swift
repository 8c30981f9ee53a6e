import Foundation
import Testing

/// Splits one RFC 4180 line (the shipped files have no line breaks inside fields).
func csvFields(_ line: Substring) -> [String] {
    var fields: [String] = [], field = "", quoted = false
    var chars = line.makeIterator()
    var pendingQuote = false
    while let c = chars.next() {
        if quoted {
            if c == "\"" { quoted = false; pendingQuote = true } else { field.append(c) }
        } else if c == "\"" {
            if pendingQuote { field.append("\"") }
            quoted = true
        } else if c == "," {
            fields.append(field); field = ""
        } else {
            field.append(c)
        }
        if c != "\"" { pendingQuote = false }
    }
    fields.append(field)
    return fields
}

func shippedTable(_ name: String) throws -> (header: [String], rows: [[String]]) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Data/\(name)").standardized
    let text = try String(contentsOf: url, encoding: .utf8)
    let lines = text.split(separator: "\n")
    return (csvFields(lines[0]), lines.dropFirst().map(csvFields))
}

@Suite struct ShippedDataTests {
    @Test("hromadas.csv: 1,470 unique ids, coordinates in Ukraine, needs in [0, 1]")
    func hromadas() throws {
        let (header, rows) = try shippedTable("hromadas.csv")
        #expect(rows.count == 1470)
        #expect(rows.allSatisfy { $0.count == header.count })
        #expect(Set(rows.map { $0[0] }).count == rows.count)
        let lat = header.firstIndex(of: "lat")!, lon = header.firstIndex(of: "lon")!, pop = header.firstIndex(of: "population")!
        for r in rows {
            #expect((44.0...52.5).contains(Double(r[lat])!) && (22.0...40.5).contains(Double(r[lon])!), "\(r[0])")
            #expect(Int(r[pop])! > 0)
        }
        let needs = header.indices.filter { header[$0].hasPrefix("need_") }
        #expect(needs.count == 17)
        #expect(rows.allSatisfy { r in needs.allSatisfy { (0...1).contains(Double(r[$0])!) } })
    }

    @Test("partners.csv: 98,613 unique LAU ids, every row located, offers labelled synthetic")
    func partners() throws {
        let (header, rows) = try shippedTable("partners.csv")
        #expect(rows.count == 98_613)
        #expect(rows.allSatisfy { $0.count == header.count })
        #expect(Set(rows.map { $0[0] }).count == rows.count)
        let lat = header.firstIndex(of: "lat")!, lon = header.firstIndex(of: "lon")!
        let volunteer = header.firstIndex(of: "volunteer")!, synthetic = header.firstIndex(of: "offers_synthetic")!
        for r in rows {
            #expect((-25.0...72.0).contains(Double(r[lat])!) && (-65.0...60.0).contains(Double(r[lon])!), "\(r[0])")
        }
        #expect(rows.allSatisfy { $0[volunteer] == $0[synthetic] })
        let volunteers = rows.filter { $0[volunteer] == "1" }.count
        #expect((1500...4000).contains(volunteers))
    }

    @Test("ties.csv: every pair resolves to a hromada and a LAU, no duplicates")
    func ties() throws {
        let hromadas = Set(try shippedTable("hromadas.csv").rows.map { $0[0] })
        let partners = Set(try shippedTable("partners.csv").rows.map { $0[0] })
        let (_, rows) = try shippedTable("ties.csv")
        #expect(rows.count == 758)
        #expect(Set(rows.map { $0[0] + "|" + $0[1] }).count == rows.count)
        for r in rows {
            #expect(hromadas.contains(r[0]), "unknown hromada \(r[0])")
            #expect(partners.contains(r[1]), "unknown LAU \(r[1])")
            #expect(r[2] == "existing")
        }
    }
}
