import Foundation
import TwinningShared
import TwinningInput

extension ScoreModel {
    /// Why a pair is proposed, in a few short sentences a coordinator reads without the
    /// components: the fit first (what the programme is for) where the pair has one, then
    /// the distance and the sizes (what the components weigh most), then what known
    /// partnerships say, then the partner's standing in its region. Each sentence says a
    /// fact of the data; none names a weight.
    ///
    /// - `offers digital and transport, which Ahronomichna needs (fit 0.30; typical 0.21)`,
    ///   or `meets Ahronomichna's needs less than typical (fit 0.12; typical 0.21)`;
    /// - `542 km apart`;
    /// - `similar size: 9,361 and 9,779 inhabitants`, or `partner 33 times larger: …`;
    /// - `Vinnytsia Oblast already twins with 18 towns in Poland, 5 of them in the partner's region`
    ///   (its ties to that country and to the partner's NUTS 2 region, the hromada's own
    ///   left out, as in the priors);
    /// - `already twins with another hromada of Vinnytsia Oblast`;
    /// - `largest town of its NUTS 2 region` (or NUTS 3 area), and `both are regional
    ///   centres` where the hromada is its oblast's largest.
    func reasons(hromada i: Int, partner j: Int, _ b: Breakdown) -> [String] {
        var out: [String] = []
        let name = hromadas.latinNames[i]
        if let fit = b.fit {
            let typical = b.typicalFit.map { "; typical \(Decimals.fixed($0, 2))" } ?? ""
            let offered = b.topSectors.filter { $0.offer >= 0.5 }.prefix(2).map { $0.sector.rawValue.replacingOccurrences(of: "_", with: " ") }
            if fit >= (b.typicalFit ?? 0), !offered.isEmpty {
                out.append("offers \(offered.joined(separator: " and ")), which \(name) needs (fit \(Decimals.fixed(fit, 2))\(typical))")
            } else {
                out.append("meets \(name)'s needs \(fit >= (b.typicalFit ?? 0) ? "as typical" : "less than typical") (fit \(Decimals.fixed(fit, 2))\(typical))")
            }
        }
        out.append("\(Decimals.grouped(b.distanceKm)) km apart")
        let (p, q) = (hromadas.populations[i], partners.populations[j])
        let people = "\(Decimals.grouped(p)) and \(Decimals.grouped(q)) inhabitants"
        if b.sizeRatio >= 0.5 && b.sizeRatio <= 2 {
            out.append("similar size: \(people)")
        } else {
            let times = Decimals.grouped(max(b.sizeRatio, 1 / b.sizeRatio))
            out.append("\(b.sizeRatio < 1 ? "partner" : "hromada") \(times) times larger: \(people)")
        }
        let (toCountry, toRegion) = knownTies(row: i, column: j)
        if toCountry > 0 {
            let oblast = hromadas.regions[i].isEmpty ? "its oblast" : hromadas.regions[i]
            out.append("\(oblast) already twins with \(Decimals.grouped(Double(toCountry))) town\(toCountry == 1 ? "" : "s") in "
                       + CountryNames.english(partners.countries[j])
                       + (toRegion == 0 ? "" : toRegion == toCountry ? (toRegion == 1 ? ", in the partner's region" : ", all in the partner's region")
                          : ", \(toRegion) of them in the partner's region"))
        }
        if tied(i, j) { out.append("already twins with another hromada of \(hromadas.regions[i])") }
        switch centre[j] {
        case 1: out.append(rowIsCentre[i] ? "both are regional centres" : "largest town of its NUTS 2 region")
        case 0.5: out.append(rowIsCentre[i] ? "both are centres of their areas" : "largest town of its NUTS 3 area")
        default: break
        }
        return out
    }

    /// Known ties of row `i`'s oblast to column `j`'s country and NUTS 2 region, the
    /// hromada's own left out (as the priors count them).
    func knownTies(row i: Int, column j: Int) -> (country: Int, region: Int) {
        let h = rowHromada[i], o = Int(context.oblast[h]), c = Int(columnCountry[j]), r = Int(columnRegion[j])
        var country = Int(context.byOblastCountry[o * context.countries + c]), region = Int(context.byOblastRegion[o * context.regions + r])
        for partner in context.own[h] ?? [] {
            if Int(context.country[partner]) == c { country -= 1 }
            if Int(context.region[partner]) == r { region -= 1 }
        }
        // A partner without a NUTS 2 code shares its "region" with every such partner of its country: say nothing of it.
        return (country, partners.nuts2[j].isEmpty ? 0 : region)
    }
}
