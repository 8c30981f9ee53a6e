import ArgumentParser
import Foundation
import Twinning
import TwinningBatch

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a hromada's best allowed partners, or one pair: its score, whether the rules allow it, "
            + "and what choosing it would cost.",
        discussion: """
        Hromadas and partners may be named by id or by name, in either script. The same inputs, rules, ties and \
        volunteers as `match` apply: a pair the rules leave out is shown with the reason.

        With a partner, the matching is solved on these inputs to say who gets what, and solved again with the pair \
        locked in: the difference is what choosing it would cost the programme, exactly. With --proposals, who \
        holds the partner in an earlier `match` or batch output is shown too, and the pair is judged with the rules \
        and weights that output was made with (unless --rules or --weights are given) and, for a batch run, the \
        coordinators' decisions it applied.
        """)

    @OptionGroup var input: InputOptions

    @Option(help: "Partners to consider: the volunteers, or every partner (with its slots).")
    var candidates: CandidatePool = .volunteers

    @Option(help: ArgumentHelp("Partners to list for a hromada alone.", valueName: "n"))
    var top = 5

    @Option(help: ArgumentHelp("A `match` output folder: who holds the partner there.", valueName: "folder"), completion: .directory)
    var proposals: String?

    @Argument(help: ArgumentHelp("Hromada id (KATOTTH) or name.", valueName: "hromada"))
    var hromada: String

    @Argument(help: ArgumentHelp("Partner id (GISCO LAU id) or name.", valueName: "partner"))
    var partner: String?

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be 1 or more") }
    }

    func run() throws {
        let (loaded, recordedFrom) = try Self.inputs(input, proposals: proposals)
        let instance = loaded.instance(candidates: candidates)
        let resolver = IDResolver(hromadas: loaded.hromadas, partners: loaded.partners)
        let i = try Self.resolve(resolver.hromada(named: hromada))
        var lines = Self.describe(hromada: i, in: instance)
        guard let partner else {
            let model = instance.explainer(hromadas: [i])
            lines.append(Self.formula(instance.weights, fit: model.hasFit))
            let pool = instance.candidateColumns.count
            lines.append("")
            lines.append("best allowed partners among the \(pool) \(candidates == .volunteers ? "volunteers" : "candidate partners")"
                         + (instance.rules.file.map { " (rules: \($0))" } ?? "") + ":")
            let list = instance.shortlist([i], top: top)[0]
            if list.isEmpty { lines.append("  none: " + Self.whyNone(i, instance)) }
            for (k, c) in list.enumerated() {
                lines.append("\(k + 1). " + Self.title(partner: c.partner, instance) + ": score \(Decimals.fixed(Double(c.score), 4))")
                lines += Self.components(model.breakdown(hromada: 0, partner: c.partner), weights: instance.weights).map { "   " + $0 }
            }
            print(lines.joined(separator: "\n"))
            return
        }
        let j = try Self.resolve(resolver.partner(named: partner))
        lines += Self.describe(partner: j, in: instance)
        let model = instance.explainer(hromadas: [i]), breakdown = model.breakdown(hromada: 0, partner: j)
        lines.append(Self.formula(instance.weights, fit: model.hasFit))
        lines.append("score \(Decimals.fixed(breakdown.score, 4))")
        lines += Self.components(breakdown, weights: instance.weights)
        let pair = IndexPair(i, j)
        if let why = instance.exclusion(of: pair) ?? instance.belowMinimum(breakdown, pair) {
            if let recordedFrom { lines.append(recordedFrom) }
            lines.append("not allowed: \(why.reason)")
            print(lines.joined(separator: "\n"))
            return
        }
        if let recordedFrom { lines.append(recordedFrom) }
        lines.append("allowed" + (instance.restrictions.lockSource(pair).map { ": \($0)" } ?? ""))
        if let folder = proposals { lines += try Self.earlier(folder, pair: pair, instance) }
        lines += try Self.whyNot(pair, instance)
        print(lines.joined(separator: "\n"))
    }

    /// The inputs to explain with. With an earlier output folder, the rules and weights it
    /// was made with (unless given here) and, for a batch run, the coordinators' decisions
    /// it applied: the pair is judged as that run judged it. A recorded file that has
    /// changed since is an error, not silently the new one. Also a line saying what was
    /// taken from the folder.
    static func inputs(_ options: InputOptions, proposals folder: String?) throws -> (LoadedInputs, String?) {
        guard let folder else { return (try LoadedInputs.load(options.paths), nil) }
        let file = (folder as NSString).appendingPathComponent(ProposalFile.json.rawValue)
        let recorded = try ProposalTable.readInputs(path: file)
        var paths = options.paths, taken: [String] = []
        func recordedFile(_ role: String) throws -> String? {
            guard let record = recorded[role] else { return nil }
            let now = try Digest.sha256(path: record.path)
            guard now == record.sha256 else {
                throw Failure("\(folder) was made with the \(role) in \(record.path), which has changed since (sha256 \(record.sha256.prefix(12))… "
                              + "then, \(now.prefix(12))… now): give --\(role) to explain with today's", .badInput)
            }
            taken.append("\(role) \(record.path)")
            return record.path
        }
        if options.rules == nil, let rules = try recordedFile("rules") { paths.rules = rules }
        if options.weights == nil, let weights = try recordedFile("weights") { paths.weights = weights }
        var loaded = try LoadedInputs.load(paths)
        // A batch run's folder (`run-N-SCENARIO`) names its store: the decisions that run applied.
        let name = (folder as NSString).lastPathComponent
        if let store = recorded["decisions"]?.path, name.hasPrefix("run-"),
           let id = Int64(name.dropFirst(4).prefix { $0.isNumber }), FileManager.default.fileExists(atPath: store) {
            let decisions = try RunStore(path: store).decisions(run: id)
            loaded = try loaded.with(ties: BatchRunner.applying(decisions, to: loaded.ties, hromadas: loaded.hromadas, partners: loaded.partners))
            taken.append("\(decisions.count) decision\(decisions.count == 1 ? "" : "s") of run \(id)")
        }
        return (loaded, "as in \(folder): " + (taken.isEmpty ? "no rules, weights or decisions recorded" : taken.joined(separator: ", ")))
    }

    static func resolve(_ r: IDResolver.Resolution) throws -> Int {
        switch r {
        case let .success(i): return i
        case let .failure(message): throw Failure(message, .badInput)
        }
    }

    // MARK: Describing the two sides

    static func name(_ r: Registry, _ i: Int) -> String { r.bothNames(i) }

    static func title(partner j: Int, _ instance: MatchInstance) -> String {
        let p = instance.partners
        return "\(name(p, j)) (\(p.ids[j]), \(p.countries[j]))"
    }

    static func describe(hromada i: Int, in instance: MatchInstance) -> [String] {
        let h = instance.hromadas
        var facts = [h.regions[i], h.levels[i].rawValue, "population \(count(h.populations[i]))"]
        if !h.statuses[i].isEmpty { facts.append("status \(h.statuses[i])") }
        let has = instance.existing[i] ?? 0
        var lines = ["\(name(h, i)) (\(h.ids[i]))", "  " + facts.joined(separator: " · ")]
        let partners = has == 0 ? "no partner yet" : "\(has) partner\(has == 1 ? "" : "s") already"
        if let why = instance.restrictions.hromadaExclusions[i] {
            lines.append("  takes no part in matching: \(why.reason)")
        } else {
            let wanted = instance.demand[i]
            lines.append("  seeks \(wanted) partner\(wanted == 1 ? "" : "s") (slots \(h.slots[i]), \(partners))")
        }
        return lines
    }

    static func describe(partner j: Int, in instance: MatchInstance) -> [String] {
        let p = instance.partners
        var facts = [p.countries[j], p.regions[j], p.levels[j].rawValue, "population \(count(p.populations[j]))",
                     "\(p.slots[j]) slot\(p.slots[j] == 1 ? "" : "s")"]
        facts.append(p.volunteers[j] ? "volunteer" : "not a volunteer")
        if p.syntheticOffers[j] { facts.append("synthetic offers (no fit)") }
        var lines = ["\(name(p, j)) (\(p.ids[j]))", "  " + facts.filter { !$0.isEmpty }.joined(separator: " · ")]
        if let why = instance.partnerExclusion(j) {
            lines.append(instance.isCandidate[j] ? "  takes part only in its locked or accepted pairs: otherwise \(why.reason)"
                         : "  takes no part in matching: \(why.reason)")
        }
        return lines
    }

    // MARK: The score

    /// How a score is made, with the weights in use.
    /// `fit`: whether some pair has a fit (the model's ``ScoreModel/hasFit``).
    static func formula(_ w: Weights, fit: Bool) -> String {
        let total = w.magnitudes.total, share = w[.fitShare]
        return "score = Σ |weight| × value / \(Decimals.fixed(total, 2)), the sum of |weight| "
            + "(a negative weight scores 1 − value: it prefers the opposite)"
            + (fit ? "\nthen score = \(Decimals.percent(1 - share)) × that + \(Decimals.percent(share)) × fit (fit_share \(share)), "
                + "the fit being Σ need × offer / Σ need where the partner's offers are real, else the hromada's typical fit" : "")
    }

    /// One line per component: value × |weight| / Σ|weight| → contribution, then the
    /// sectors, size ratio and distance.
    static func components(_ b: Breakdown, weights: Weights) -> [String] {
        let total = Decimals.fixed(b.weightTotal, 2)
        var lines = ["  why: " + b.reasons.joined(separator: "; ")]
        if let likelihood = b.likelihood {
            lines.append("  likelihood \(Decimals.fixed(likelihood, 3)): more typical than \(Decimals.fixed(likelihood * 100, 0))% of the known partnerships")
        }
        if let used = b.fit ?? b.typicalFit {
            lines.append("  components \(Decimals.fixed(b.componentScore, 4)) × \(Decimals.percent(1 - b.fitShare)) + "
                         + (b.fit == nil ? "typical fit" : "fit") + " \(Decimals.fixed(used, 4)) × \(Decimals.percent(b.fitShare)) → score "
                         + Decimals.fixed(b.score, 4) + (b.noFit.map { " (no fit: \($0))" } ?? ""))
        } else {
            lines.append("  " + b.fitNote + "; the score is the components' alone")
        }
        // The components that weigh something (a weights file may set any of them).
        let weighed = b.components.filter { $0.weight != 0 }
        let width = weighed.map(\.component.rawValue.count).max() ?? 0
        lines += weighed.map { c -> String in
            let name = c.component.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let value = c.weight < 0 ? "(1 − \(Decimals.fixed(c.value, 4)))" : Decimals.fixed(c.value, 4)
            return "  \(name) \(value) × \(Decimals.fixed(abs(c.weight), 2)) / \(total) → \(Decimals.fixed(c.contribution, 4))"
        }
        let sectors = b.topSectors.map { "\($0.sector.rawValue) (need \(Decimals.fixed($0.need, 2)), offer \(Decimals.fixed($0.offer, 2)))" }
        lines.append("  top sectors: " + (sectors.isEmpty ? "none in common" : sectors.joined(separator: ", ")))
        lines.append("  size ratio \(Decimals.fixed(b.sizeRatio, 3)) (hromada / partner), distance \(Decimals.fixed(b.distanceKm, 1)) km")
        return lines
    }

    static func whyNone(_ i: Int, _ instance: MatchInstance) -> String {
        instance.candidateColumns.isEmpty ? "no partner takes part" : "no partner passes the rules"
    }

    // MARK: Who gets what, and what choosing the pair would cost

    /// Who holds the partner in an earlier `match` output, read from its `proposals.json`.
    static func earlier(_ folder: String, pair: IndexPair, _ instance: MatchInstance) throws -> [String] {
        let file = (folder as NSString).appendingPathComponent(ProposalFile.json.rawValue)
        let earlier = try ProposalTable.readPairs(path: file)
        let h = instance.hromadas, p = instance.partners
        let hIndex = h.index(), pIndex = p.index()
        func named(_ id: String, _ r: Registry, _ index: [String: Int]) -> String { index[id].map { "\(r.latinNames[$0]) (\(id))" } ?? id }
        let got = earlier.filter { $0.hromada == h.ids[pair.hromada] }.map { named($0.partner, p, pIndex) }
        let holders = earlier.filter { $0.partner == p.ids[pair.partner] }.map { named($0.hromada, h, hIndex) }
        return ["in \(folder): \(h.latinNames[pair.hromada]) has " + (got.isEmpty ? "no partner" : got.joined(separator: ", "))
                + "; \(p.latinNames[pair.partner]) " + (holders.isEmpty ? "is not proposed to anyone" : "is proposed to " + holders.joined(separator: ", "))]
    }

    /// The optimum of these inputs, then the optimum with the pair locked in (``WhyNot``).
    static func whyNot(_ pair: IndexPair, _ instance: MatchInstance) throws -> [String] {
        let h = instance.hromadas, p = instance.partners
        let why = try WhyNot(pair, in: instance)
        let got = why.partnersOfHromada.map { "\(p.latinNames[$0]) (\(p.ids[$0]))" }
        let held = why.hromadasOfPartner.map { "\(h.latinNames[$0]) (\(h.ids[$0]))" }
        var lines = ["in the optimum of these inputs: \(h.latinNames[pair.hromada]) gets " + (got.isEmpty ? "no partner" : got.joined(separator: ", "))
                     + "; \(p.latinNames[pair.partner]) " + (held.isEmpty ? "goes to no one" : "goes to " + held.joined(separator: ", "))]
        switch why.forced {
        case .proposed:
            lines.append("the pair is in the optimum: it is proposed")
        case let .impossible(reason):
            lines.append("the pair cannot be forced in: \(reason)")
        case let .costs(from, to, changes):
            lines.append("choosing it instead lowers the total by \(Decimals.fixed(why.loss, 4)) "
                         + "(\(Decimals.fixed(from, 3)) → \(Decimals.fixed(to, 3)), solved again with the pair locked in):")
            func names(_ list: [Int]) -> String { list.isEmpty ? "–" : list.map { p.latinNames[$0] }.joined(separator: ", ") }
            for c in changes.prefix(8) {
                lines.append("  \(h.latinNames[c.hromada]) (\(h.ids[c.hromada])): \(names(c.before)) → \(names(c.after))")
            }
            if changes.count > 8 { lines.append("  … and \(changes.count - 8) more hromadas") }
        }
        return lines
    }

    /// A head count as people write it, whatever its size (no integer conversion).
    static func count(_ x: Double) -> String { Decimals.fixed(x, 0) }
}
