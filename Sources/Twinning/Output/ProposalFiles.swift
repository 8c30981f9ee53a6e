import Foundation

/// The formats `match` and the batch can write.
public enum OutputFormat: String, CaseIterable, Sendable {
    case csv, json
}

extension ProposalTable {
    /// `proposals.csv`: one row per proposal, one column per score component.
    public static let proposalColumns: [CSVColumn<Row>] = {
        let f = CSVWriter.fixed
        var columns: [CSVColumn<Row>] = [
            CSVColumn("hromada_id") { $0.hromada.id },
            CSVColumn("hromada_name") { $0.hromada.nameLatin },
            CSVColumn("hromada_region") { $0.hromada.region },
            CSVColumn("partner_id") { $0.partner.id },
            CSVColumn("partner_name") { $0.partner.nameLatin },
            CSVColumn("partner_country") { $0.partner.country },
            CSVColumn("status") { $0.status },
            CSVColumn("score") { f($0.breakdown.score, 4) },
        ]
        columns += ScoreComponent.allCases.map { c in CSVColumn(c.rawValue) { f($0.breakdown[c].value, 4) } }
        columns += [
            CSVColumn("top_sectors") { row in
                row.breakdown.topSectors.map { "\($0.sector.rawValue) \(f($0.need, 2))×\(f($0.offer, 2))" }.joined(separator: "; ")
            },
            CSVColumn("size_ratio") { f($0.breakdown.sizeRatio, 3) },
            CSVColumn("distance_km") { f($0.breakdown.distanceKm, 1) },
            CSVColumn("alternatives") { row in
                row.alternatives.map { "\($0.partner.id) \(f($0.score, 4)) (loses ≥ \(f($0.lossAtLeast, 4)))" }.joined(separator: " | ")
            },
        ]
        return columns
    }()

    public var csv: String { CSVWriter.text(rows, columns: Self.proposalColumns) }

    /// `proposals.json`: the whole table, with the weights, rules and inputs used.
    public func json() throws(OutputError) -> Data { try JSONOutput.encode(Document(self), pretty: false) }

    /// The files of the chosen formats, by name.
    /// Each format is rendered on its own core.
    public func files(_ formats: Set<OutputFormat>) throws(OutputError) -> [String: Data] {
        let chosen = OutputFormat.allCases.filter(formats.contains)
        var rendered = [Result<(String, Data), OutputError>?](repeating: nil, count: chosen.count)
        rendered.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chosen.count) { k in
                shared[k] = Result { () throws(OutputError) in try render(chosen[k]) }
            }
        }
        var files: [String: Data] = [:]
        for result in rendered {
            let (name, data) = try result!.get()
            files[name] = data
        }
        return files
    }

    /// One file: its name and bytes.
    func render(_ format: OutputFormat) throws(OutputError) -> (String, Data) {
        switch format {
        case .csv: return ("proposals.csv", Data(csv.utf8))
        case .json: return ("proposals.json", try json())
        }
    }

    /// The JSON form of the table. Keys are snake_case, spelled out in each type's
    /// `CodingKeys` (see ``JSONOutput``).
    struct Document: Encodable {
        struct SectorMatch: Encodable { let sector: String, need: Double, offer: Double }
        struct Alternative: Encodable {
            let partnerId: String, partnerName: String, score: Double, lossAtLeast: Double
            enum CodingKeys: String, CodingKey { case partnerId = "partner_id", partnerName = "partner_name", score, lossAtLeast = "loss_at_least" }
        }
        struct Proposal: Encodable {
            let hromadaId: String, hromadaName: String, hromadaRegion: String
            let partnerId: String, partnerName: String, partnerCountry: String
            let status: String, lockedBy: String?, score: Double
            /// Each component's value, and its share of the score (weights are recorded once, above).
            let components: [String: Double], contributions: [String: Double]
            let topSectors: [SectorMatch], sizeRatio: Double, distanceKm: Double
            let alternatives: [Alternative]
            enum CodingKeys: String, CodingKey {
                case hromadaId = "hromada_id", hromadaName = "hromada_name", hromadaRegion = "hromada_region"
                case partnerId = "partner_id", partnerName = "partner_name", partnerCountry = "partner_country"
                case status, lockedBy = "locked_by", score, components, contributions
                case topSectors = "top_sectors", sizeRatio = "size_ratio", distanceKm = "distance_km", alternatives
            }
        }
        struct Unmatched: Encodable {
            let hromadaId: String, hromadaName: String, hromadaRegion: String, wanted: Int, got: Int, reason: String
            enum CodingKeys: String, CodingKey {
                case hromadaId = "hromada_id", hromadaName = "hromada_name", hromadaRegion = "hromada_region", wanted, got, reason
            }
        }
        struct Summary: Encodable {
            let proposals: Int, hromadasSeeking: Int, alreadyPartnered: Int, candidatePartners: Int, totalScore: Double
            let unmatched: [Unmatched]
            enum CodingKeys: String, CodingKey {
                case proposals, hromadasSeeking = "hromadas_seeking", alreadyPartnered = "already_partnered"
                case candidatePartners = "candidate_partners", totalScore = "total_score", unmatched
            }
        }
        let weights: [String: Double]
        let rules: [String: RecordedValue]
        let inputs: [String: String]
        let summary: Summary
        let proposals: [Proposal]

        init(_ t: ProposalTable) {
            let r = JSONOutput.rounded
            weights = Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, t.weights[$0]) }
                                 + ScoreParameter.allCases.map { ($0.rawValue, t.weights[$0]) })
            rules = t.rules.recorded
            inputs = t.inputs
            summary = Summary(proposals: t.summary.proposals, hromadasSeeking: t.summary.hromadasSeeking,
                              alreadyPartnered: t.summary.alreadyPartnered, candidatePartners: t.summary.candidatePartners,
                              totalScore: r(t.summary.totalScore, 6),
                              unmatched: t.unmatched.map {
                                  Unmatched(hromadaId: $0.hromada.id, hromadaName: $0.hromada.nameLatin, hromadaRegion: $0.hromada.region,
                                            wanted: $0.wanted, got: $0.got, reason: $0.reason)
                              })
            proposals = t.rows.map { row in
                let b = row.breakdown
                return Proposal(
                    hromadaId: row.hromada.id, hromadaName: row.hromada.nameLatin, hromadaRegion: row.hromada.region,
                    partnerId: row.partner.id, partnerName: row.partner.nameLatin, partnerCountry: row.partner.country,
                    status: row.status, lockedBy: row.lockedBy, score: r(b.score, 6),
                    components: Dictionary(uniqueKeysWithValues: b.components.map { ($0.component.rawValue, r($0.value, 6)) }),
                    contributions: Dictionary(uniqueKeysWithValues: b.components.map { ($0.component.rawValue, r($0.contribution, 6)) }),
                    topSectors: b.topSectors.map { SectorMatch(sector: $0.sector.rawValue, need: r($0.need, 3), offer: r($0.offer, 3)) },
                    sizeRatio: r(b.sizeRatio, 4), distanceKm: r(b.distanceKm, 2),
                    alternatives: row.alternatives.map {
                        Alternative(partnerId: $0.partner.id, partnerName: $0.partner.nameLatin, score: r($0.score, 6),
                                    lossAtLeast: r($0.lossAtLeast, 6))
                    })
            }
        }
    }
}

/// The one JSON writer: `JSONEncoder` with sorted keys, so every JSON the tool writes is
/// valid and deterministic. Keys are snake_case; each document spells them in its
/// `CodingKeys` rather than through `.convertToSnakeCase`, which converts every key of
/// every object afresh and took two thirds of the time to encode a proposal table
/// (`JSONOutputTests` checks that no key the tool writes is camelCase).
public enum JSONOutput {
    /// Encodes `value`; a number that is not finite (which JSON cannot hold) is an error.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws(OutputError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(value)
            data.append(0x0A)
            return data
        } catch {
            throw OutputError(.notRepresentable, path: "(JSON)", "a value cannot be written as JSON: \(error)")
        }
    }

    /// `x` rounded to `digits` decimals (written as the shortest text that reads back
    /// as that value), as outputs record measured values.
    public static func rounded(_ x: Double, _ digits: Int) -> Double {
        let scale = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8][min(max(digits, 0), 8)]
        let scaled = x * scale
        guard scaled.isFinite, abs(scaled) < 1e15 else { return x }
        return scaled.rounded() / scale
    }
}
