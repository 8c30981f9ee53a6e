import ArgumentParser
import Foundation
import Twinning

struct Match: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose the optimal partnerships, with explanations and alternatives.",
        discussion: """
        With no arguments, reads the shipped Data/ and writes proposals.csv and
        proposals.json into a new folder (proposals, or proposals-2, … if taken).
        Hromadas with an existing EU partner are left out; every other hromada gets up to
        its slots, volunteers up to theirs. Existing and rejected pairs are never proposed,
        accepted and locked pairs always; the total score is maximised exactly.

        Examples:
          twinning match
          twinning match --rules rules.yaml --weights weights.yaml --out spring-round
          twinning match --hromadas mine.csv --partners theirs.json --ties '' --format json
        """)

    @OptionGroup var input: InputOptions

    @Option(help: "Output folder; must not exist yet.")
    var out: String?

    @Option(help: "Output format: csv, json or both.")
    var format: Format = .both

    @Option(help: "Alternatives to list for each proposal.")
    var alternatives = 3

    enum Format: String, ExpressibleByArgument { case csv, json, both }

    func validate() throws {
        guard alternatives >= 0 else { throw ValidationError("--alternatives must be 0 or more") }
    }

    func run() throws {
        let started = Date()
        let progress = Progress()
        progress.step("loading \(input.hromadas), \(input.partners)")
        let loaded = try input.load()
        progress.step("scoring and solving")
        let result: MatchResult
        defer { progress.done() }
        do {
            result = try Matcher.match(hromadas: loaded.hromadas, partners: loaded.partners, ties: loaded.ties,
                                       rules: loaded.rules, weights: loaded.weights, alternatives: alternatives)
        } catch { throw CleanExit.failure(error.description) }
        progress.step("writing")
        let writeStart = Date()
        let files = ProposalFiles(result: result, hromadas: loaded.hromadas, partners: loaded.partners,
                                  weights: loaded.weights, rules: loaded.rules, inputs: loaded.inputs)
        let folder = out ?? Self.freshFolder()
        do {
            try files.write(to: folder, formats: format == .both ? ["csv", "json"] : [format.rawValue])
        } catch { throw CleanExit.failure("\(error)") }
        let written = Date().timeIntervalSince(writeStart)
        progress.done()

        let n = result.proposals.count
        print("proposed \(n) partnerships for \(result.seeking) hromadas seeking partners "
            + "(\(result.alreadyPartnered) already have one) among \(result.candidatePartners) volunteer partners")
        print(String(format: "total score %.3f, mean %.3f", result.total, n > 0 ? result.total / Double(n) : 0))
        if !result.unmatched.isEmpty {
            var reasons: [String: Int] = [:]
            for u in result.unmatched { reasons[u.reason, default: 0] += 1 }
            print("\(result.unmatched.count) hromadas not fully matched:")
            for (reason, count) in reasons.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
                print("  \(count): \(reason)")
            }
        }
        print(String(format: "written to %@ in %.2f s (load %.2f, score %.2f, solve %.2f, write %.2f)", folder,
                     Date().timeIntervalSince(started), loaded.seconds, result.scoringSeconds, result.solvingSeconds, written))
    }

    static func freshFolder() -> String {
        var name = "proposals", k = 2
        while FileManager.default.fileExists(atPath: name) { name = "proposals-\(k)"; k += 1 }
        return name
    }
}
