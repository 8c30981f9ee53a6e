import ArgumentParser
import Foundation
import Twinning

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain the score of a pair, or a hromada's best candidates.",
        discussion: """
        With UA_ID and EU_ID: every component of that pair's score. With UA_ID alone: its five best-scoring \
        volunteer partners, each explained.

        Examples:
          twinning explain UA05020030000031457 DE_08212000
          twinning explain UA05020030000031457
        """)

    @OptionGroup var input: InputOptions

    @Argument(help: ArgumentHelp("Hromada id (KATOTTH).", valueName: "ua-id"))
    var uaID: String

    @Argument(help: ArgumentHelp("Partner id (GISCO LAU id or NUTS code).", valueName: "eu-id"))
    var euID: String?

    func run() throws {
        let loaded = try LoadedInputs.load(input.paths)
        let resolver = IDResolver(hromadas: loaded.hromadas, partners: loaded.partners)
        guard case let .success(i) = resolver.hromada(uaID) else {
            if case let .failure(message) = resolver.hromada(uaID) { throw Failure(message, .badInput) }
            return
        }
        var tied: [Int: Set<String>] = [:]
        for t in loaded.ties where t.status == .existing {
            tied[t.partner, default: []].insert(loaded.hromadas.regions[t.hromada])
        }
        let model = ScoreModel(hromadas: loaded.hromadas.subset([i]), partners: loaded.partners,
                               weights: loaded.weights, partnerTiedRegions: tied)
        let partners: [Int]
        if let euID {
            switch resolver.partner(euID) {
            case let .success(j): partners = [j]
            case let .failure(message): throw Failure(message, .badInput)
            }
        } else {
            partners = model.topCandidates(k: 5, candidates: loaded.partners.volunteers).first?.map(\.partner) ?? []
        }
        let h = loaded.hromadas, p = loaded.partners
        print("\(h.ids[i]) \(h.latinNames[i]) (\(h.regions[i]), \(h.levels[i].rawValue), population \(Self.count(h.populations[i])))")
        for j in partners {
            let b = model.breakdown(hromada: 0, partner: j)
            print("")
            print(String(format: "%@ %@ (%@, %@, population %@): score %.4f", p.ids[j], p.latinNames[j], p.countries[j],
                         p.levels[j].rawValue, Self.count(p.populations[j]), b.score))
            for c in b.components {
                let name = c.component.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                print("  " + name + String(format: " value %.4f × weight %+.2f → %.4f", c.value, c.weight, c.contribution))
            }
            let sectors = b.topSectors.map { String(format: "%@ (need %.2f, offer %.2f)", $0.sector.rawValue, $0.need, $0.offer) }
            print("  top sectors: " + (sectors.isEmpty ? "none in common" : sectors.joined(separator: ", ")))
            print(String(format: "  size ratio %.3f (hromada / partner), distance %.1f km", b.sizeRatio, b.distanceKm))
        }
    }

    /// A head count as people write it, whatever its size (no integer conversion).
    static func count(_ x: Double) -> String { String(format: "%.0f", x) }
}
