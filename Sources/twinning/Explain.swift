import ArgumentParser
import Foundation
import Twinning

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain the score of a pair, or a hromada's best candidates.",
        discussion: """
        With UA_ID and EU_ID: every component of that pair's score. With UA_ID alone: its
        five best-scoring volunteer partners, each explained.

        Examples:
          twinning explain UA05020030000031457 PL_1261011
          twinning explain UA05020030000031457
        """)

    @OptionGroup var input: InputOptions

    @Argument(help: "Hromada id (KATOTTH).")
    var uaID: String

    @Argument(help: "Partner id (GISCO LAU id or NUTS code).")
    var euID: String?

    func run() throws {
        let loaded = try input.load()
        guard let i = loaded.hromadas.index()[uaID] else {
            throw CleanExit.failure("unknown hromada id \(uaID) (not in \(loaded.hromadas.file))")
        }
        let pIndex = loaded.partners.index()
        var tied: [Int: Set<String>] = [:]
        for t in loaded.ties where t.status == .existing {
            tied[t.partner, default: []].insert(loaded.hromadas.regions[t.hromada])
        }
        let model = ScoreModel(hromadas: loaded.hromadas.subset([i]), partners: loaded.partners,
                               weights: loaded.weights, partnerTiedRegions: tied)
        let partners: [Int]
        if let euID {
            guard let j = pIndex[euID] else { throw CleanExit.failure("unknown partner id \(euID) (not in \(loaded.partners.file))") }
            partners = [j]
        } else {
            partners = model.topCandidates(k: 5, candidates: loaded.partners.volunteers).first?.map(\.partner) ?? []
        }
        let h = loaded.hromadas
        print("\(h.ids[i]) \(h.latinNames[i]) (\(h.regions[i]), \(h.levels[i].rawValue), population \(Int(h.populations[i])))")
        for j in partners {
            let p = loaded.partners, b = model.breakdown(hromada: 0, partner: j)
            print("")
            print(String(format: "%@ %@ (%@, %@, population %d): score %.4f", p.ids[j], p.latinNames[j], p.countries[j],
                         p.levels[j].rawValue, Int(p.populations[j]), b.score))
            for c in b.components {
                let name = c.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                print("  " + name + String(format: " value %.4f × weight %+.2f → %.4f", c.value, c.weight, c.contribution))
            }
            let sectors = b.topSectors.map { String(format: "%@ (need %.2f, offer %.2f)", $0.sector, $0.need, $0.offer) }
            print("  top sectors: " + (sectors.isEmpty ? "none in common" : sectors.joined(separator: ", ")))
            print(String(format: "  size ratio %.3f (hromada / partner), distance %.1f km", b.sizeRatio, b.distanceKm))
        }
    }
}
