import Foundation

/// `proposals.csv` and `proposals.json` for a matching run: deterministic text (fixed
/// number formats, no timestamps), safe to open in a spreadsheet, written atomically.
public struct ProposalFiles: Sendable {
    public let csv: String
    public let json: String

    public init(result: MatchResult, hromadas: Registry, partners: Registry, weights: Weights, rules: Rules,
                inputs: [String: String]) {
        func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
        func sectors(_ b: Breakdown) -> String {
            b.topSectors.map { "\($0.sector) \(f($0.need, 2))×\(f($0.offer, 2))" }.joined(separator: "; ")
        }
        let names = ["needs", "profile", "size", "proximity", "ties"]
        var csv = ["hromada_id", "hromada_name", "hromada_region", "partner_id", "partner_name", "partner_country",
                   "status", "score"] + names + ["top_sectors", "size_ratio", "distance_km", "alternatives"]
        var lines = [csv.map(Self.csvCell).joined(separator: ",")]
        var proposalsJSON: [String] = []
        for p in result.proposals {
            let b = p.breakdown
            let alternatives = p.alternatives.map { "\(partners.ids[$0.partner]) \(f($0.score)) (loses ≥ \(f($0.lossAtLeast)))" }
            csv = [hromadas.ids[p.hromada], hromadas.latinNames[p.hromada], hromadas.regions[p.hromada],
                   partners.ids[p.partner], partners.latinNames[p.partner], partners.countries[p.partner],
                   p.locked ? "locked" : "proposed", f(b.score)]
                + b.components.map { f($0.value) }
                + [sectors(b), f(b.sizeRatio, 3), f(b.distanceKm, 1), alternatives.joined(separator: " | ")]
            lines.append(csv.map(Self.csvCell).joined(separator: ","))

            let components = b.components.map {
                "{\"name\":\(Self.jsonString($0.name)),\"value\":\(f($0.value, 6)),\"weight\":\($0.weight),\"contribution\":\(f($0.contribution, 6))}"
            }
            let top = b.topSectors.map { "{\"sector\":\(Self.jsonString($0.sector)),\"need\":\(f($0.need, 3)),\"offer\":\(f($0.offer, 3))}" }
            let alts = p.alternatives.map {
                "{\"partner_id\":\(Self.jsonString(partners.ids[$0.partner])),\"partner_name\":\(Self.jsonString(partners.latinNames[$0.partner])),"
                    + "\"score\":\(f($0.score, 6)),\"loss_at_least\":\(f($0.lossAtLeast, 6))}"
            }
            proposalsJSON.append("""
                {"hromada_id":\(Self.jsonString(hromadas.ids[p.hromada])),"hromada_name":\(Self.jsonString(hromadas.latinNames[p.hromada])),\
                "partner_id":\(Self.jsonString(partners.ids[p.partner])),"partner_name":\(Self.jsonString(partners.latinNames[p.partner])),\
                "partner_country":\(Self.jsonString(partners.countries[p.partner])),"status":"\(p.locked ? "locked" : "proposed")",\
                "score":\(f(b.score, 6)),"components":[\(components.joined(separator: ","))],"top_sectors":[\(top.joined(separator: ","))],\
                "size_ratio":\(f(b.sizeRatio, 4)),"distance_km":\(f(b.distanceKm, 2)),"alternatives":[\(alts.joined(separator: ","))]}
                """)
        }
        self.csv = lines.joined(separator: "\n") + "\n"
        let unmatched = result.unmatched.map {
            "{\"hromada_id\":\(Self.jsonString(hromadas.ids[$0.hromada])),\"wanted\":\($0.wanted),\"got\":\($0.got),\"reason\":\(Self.jsonString($0.reason))}"
        }
        let inputsJSON = inputs.keys.sorted().map { "\(Self.jsonString($0)):\(Self.jsonString(inputs[$0]!))" }
        let w = weights
        json = """
            {"weights":{"needs":\(w.needs),"profile":\(w.profile),"size":\(w.size),"proximity":\(w.proximity),"ties":\(w.ties),\
            "size_scale":\(w.sizeScale),"distance_scale_km":\(w.distanceScaleKm)},\
            "rules":{"min_score":\(rules.minScore),"eu_members_only":\(rules.euMembersOnly),"forbidden":\(rules.forbidden.count),"locked":\(rules.locked.count)},\
            "inputs":{\(inputsJSON.joined(separator: ","))},\
            "summary":{"proposals":\(result.proposals.count),"hromadas_seeking":\(result.seeking),"candidate_partners":\(result.candidatePartners),\
            "total_score":\(f(result.total, 6)),"unmatched":[\(unmatched.joined(separator: ","))]},\
            "proposals":[
            \(proposalsJSON.joined(separator: ",\n"))
            ]}

            """
    }

    /// A CSV cell, quoted when needed; text a spreadsheet would run as a formula
    /// (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe.
    static func csvCell(_ text: String) -> String {
        var t = text
        if let first = t.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(t) == nil { t = "'" + t }
        if t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return t
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Writes the chosen formats into `directory`, which must not exist yet (see
    /// ``AtomicFolder``).
    public func write(to directory: String, formats: Set<String>) throws {
        var files: [String: String] = [:]
        if formats.contains("csv") { files["proposals.csv"] = csv }
        if formats.contains("json") { files["proposals.json"] = json }
        try AtomicFolder.write(files, to: directory)
    }
}

/// A folder of output files that appears whole or not at all.
public enum AtomicFolder {
    /// Writes `files` (name → text) into `directory`, which must not exist yet: everything
    /// goes into a temporary sibling first and is renamed into place, so a failure leaves
    /// nothing behind and a reader never sees half a file.
    public static func write(_ files: [String: String], to directory: String) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        if fm.fileExists(atPath: target.path) {
            throw MatchError(description: "\(directory) already exists: choose another --out or remove it")
        }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: temporary)
        do {
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
            for (name, text) in files.sorted(by: { $0.key < $1.key }) {
                try Data(text.utf8).write(to: temporary.appendingPathComponent(name))
            }
            try fm.moveItem(at: temporary, to: target)
        } catch {
            try? fm.removeItem(at: temporary)
            throw MatchError(description: "cannot write \(directory): \(error.localizedDescription)")
        }
    }
}
