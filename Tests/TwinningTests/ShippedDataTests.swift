import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// The shipped `Data/` read through the product's own loaders, as `twinning` reads it.
@Suite struct ShippedDataTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data").standardized.path
    static let hromadas = Result { try Registry.load(path: data + "/hromadas.csv", side: .hromadas) }
    static let partners = Result { try Registry.load(path: data + "/partners.csv", side: .partners) }

    @Test("hromadas.csv: 1,470 hromadas located in Ukraine, every need in [0, 1], all 17 sectors")
    func hromadas() throws {
        let h = try Self.hromadas.get()
        #expect(h.count == 1470)
        #expect(Set(h.ids).count == h.count)
        #expect(h.sectors == Sector.allCases)
        for i in 0..<h.count {
            #expect((44.0...52.5).contains(h.latitudes[i]) && (22.0...40.5).contains(h.longitudes[i]), "\(h.ids[i])")
        }
        #expect(h.countries.allSatisfy { $0 == "UA" })
        #expect(h.names.contains("Агрономічна") && h.latinNames.contains("Ahronomichna"))
    }

    @Test("partners.csv: 98,129 inhabited LAUs, every row located, offers only for volunteers")
    func partners() throws {
        let p = try Self.partners.get()
        #expect(p.count == 98_129)
        #expect(Set(p.ids).count == p.count)
        for j in 0..<p.count {
            #expect((-25.0...72.0).contains(p.latitudes[j]) && (-65.0...60.0).contains(p.longitudes[j]), "\(p.ids[j])")
        }
        let volunteers = p.volunteers.filter { $0 }.count
        #expect((1500...4000).contains(volunteers))
        for j in 0..<p.count where !p.volunteers[j] {
            #expect((0..<p.sectors.count).allSatisfy { p.sectorValues[j, $0] == 0 }, "\(p.ids[j]) offers without volunteering")
        }
        #expect(p.euMembers != nil)
    }

    @Test("The data slips of the first round stay fixed: Reykjavík is a city, no uninhabited unit, no leak into the volunteers")
    func slips() throws {
        let h = try Self.hromadas.get(), p = try Self.partners.get()
        #expect(p.populations[p.index()["IS_0000"]!] > 100_000)
        #expect(!p.populations.contains(0) && !p.ids.contains("CH_CH9051"))  // Zürichsee is a lake
        let kyiv = h.index()["UA80000000000093317"]!
        // A draw that knew the ties made 268 of the 640 true partners volunteers; size alone gives about 65.
        let ties = try Ties.load(path: Self.data + "/ties.csv", hromadas: h, partners: p)
        let partners = Set(ties.map(\.partner))
        #expect(partners.filter { p.volunteers[$0] }.count < 100)
        // One urban profile on both sides: log density, so cities score high on either.
        #expect(h.profileValues[kyiv, 0] > 0.8 && p.profileValues[p.index()["PL_1007141286501"]!, 0] > 0.8)
    }

    @Test("ties.csv: every pair resolves to a hromada and a LAU, no duplicates, all existing")
    func ties() throws {
        let ties = try Ties.load(path: Self.data + "/ties.csv", hromadas: Self.hromadas.get(), partners: Self.partners.get())
        #expect(ties.count == 758)
        #expect(Set(ties.map(\.pair)).count == ties.count)
        #expect(ties.allSatisfy { $0.status == .existing })
    }
}
