import Foundation
import Testing
import TwinningTestSupport

/// The README's examples, run as a user would run them, in order, in one scratch folder
/// beside the shipped `Data/`:
///
/// - a ```` ```yaml ```` or ```` ```csv ```` block whose first line is `# NAME` (a file
///   name) is written to that file first (a CSV file without that line); a NAME with a
///   folder (`examples/rules.yaml`) is a shipped file, which the block must equal;
/// - in a ```` ```console ```` block, each `$ command` runs in `sh` with the release
///   `twinning` first on the `PATH`, stdout and stderr together, and what it prints must
///   be the lines below it. An expected line `…` stands for any number of lines, and `…`
///   inside a line for any text; durations (`0.55 s`) and UTC time stamps may differ;
///   `export NAME=value` holds for the commands after it.
///
/// The examples run on the real data at full size, which takes minutes in a debug build
/// and seconds in a release one, so they use `.build/release/twinning`: build it first
/// (`swift build -c release`, the README's first command, does).
@Suite struct ReadmeTests {
    enum Step {
        case file(name: String, text: String)
        case command(String, expected: [String], line: Int)
    }

    /// The line that marks the console block after it as slow (the full cross-validation):
    /// ``slowExamples()`` runs those blocks, ``examples()`` the others.
    static let slowMark = "<!-- slow"

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// The steps of a Markdown text, in order: those of the blocks marked slow, or the others.
    static func steps(_ markdown: String, slow: Bool = false) -> [Step] {
        var steps: [Step] = [], fence: String?, block: [(Int, String)] = [], marked = false, previous = ""
        for (number, line) in markdown.components(separatedBy: "\n").enumerated() {
            if let kind = fence {
                if line == "```" {
                    if marked == slow { steps += Self.steps(kind: kind, block) }
                    fence = nil
                    block = []
                } else {
                    block.append((number + 1, line))
                }
            } else if line.hasPrefix("```") {
                fence = String(line.dropFirst(3))
                marked = previous.hasPrefix(slowMark)
            }
            previous = line
        }
        return steps
    }

    static func steps(kind: String, _ block: [(line: Int, text: String)]) -> [Step] {
        switch kind {
        case "console":
            var steps: [Step] = []
            for (line, text) in block {
                if text.hasPrefix("$ ") {
                    steps.append(.command(String(text.dropFirst(2)), expected: [], line: line))
                } else if case let .command(command, expected, at)? = steps.last {
                    steps[steps.count - 1] = .command(command, expected: expected + [text], line: at)
                }
            }
            return steps
        case "yaml", "csv":
            guard let first = block.first?.text, first.hasPrefix("# "),
                  first.dropFirst(2).allSatisfy({ $0.isLetter || $0.isNumber || "._-/".contains($0) }) else { return [] }
            // A YAML file keeps its name comment, so its line numbers are the README's;
            // a CSV file cannot.
            let lines = kind == "yaml" ? block[...] : block.dropFirst()
            return [.file(name: String(first.dropFirst(2)), text: lines.map { $0.text + "\n" }.joined())]
        default:
            return []
        }
    }

    /// Durations and time stamps masked, so runs on different days compare equal.
    static func normalised(_ line: String) -> String {
        line.replacingOccurrences(of: #"\b\d+(\.\d+)? s\b"#, with: "# s", options: .regularExpression)
            .replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "#T#Z", options: .regularExpression)
    }

    /// Whether `actual` is what `expected` describes (with `…` wildcards).
    static func matches(_ expected: [String], _ actual: [String]) -> Bool {
        func line(_ pattern: String, _ text: String) -> Bool {
            let parts = normalised(pattern).components(separatedBy: "…")
            var rest = Substring(normalised(text))
            for (k, part) in parts.enumerated() {
                if k == 0 {
                    guard rest.hasPrefix(part) else { return false }
                    rest = rest.dropFirst(part.count)
                } else if k == parts.count - 1 {
                    return rest.hasSuffix(part)
                } else {
                    guard let r = rest.range(of: part) else { return false }
                    rest = rest[r.upperBound...]
                }
            }
            return rest.isEmpty
        }
        func from(_ e: Int, _ a: Int) -> Bool {
            if e == expected.count { return a == actual.count }
            if expected[e] == "…" { return (a...actual.count).contains { from(e + 1, $0) } }
            return a < actual.count && line(expected[e], actual[a]) && from(e + 1, a + 1)
        }
        return from(0, 0)
    }

    @Test("the wildcard rules of the runner")
    func wildcards() {
        #expect(Self.matches(["a", "…", "d"], ["a", "b", "c", "d"]))
        #expect(Self.matches(["a", "…"], ["a"]))
        #expect(!Self.matches(["a", "d"], ["a", "b", "d"]))
        #expect(Self.matches(["written in 1.39 s (x …)"], ["written in 0.6 s (x y z)"]))
        #expect(!Self.matches(["total 913.008"], ["total 913.009"]))
        #expect(Self.matches(["1  default  2026-11-29T04:14:10Z  ok"], ["1  default  2027-01-02T00:00:00Z  ok"]))
    }

    @Test("every console example in the README prints what the README says (but those marked slow)",
          .tags(.readme), .enabled(if: Tool.releaseBuild, "needs a release build as fresh as the sources: swift build -c release"))
    func examples() throws {
        let markdown = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let steps = Self.steps(markdown)
        #expect(steps.count > 20)
        try run(steps)
    }

    @Test("the README's slow examples (the full cross-validation) print what the README says",
          .tags(.readme, .slow), .enabled(if: Tool.releaseBuild && Tool.slowRuns, "slow: set TWINNING_SLOW=1 (CI runs it)"))
    func slowExamples() throws {
        let markdown = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let steps = Self.steps(markdown, slow: true)
        #expect(steps.count >= 1)
        try run(steps)
    }

    /// Runs steps in order in one scratch folder holding a link to `Data/`.
    func run(_ steps: [Step]) throws {
        let binary = Self.root.appendingPathComponent(".build/release/twinning")
        try #require(Self.isFresh(binary), """
            the README's examples run the release build, which is missing or older than the sources: \
            run `swift build -c release` first
            """)
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Data"), withDestinationURL: Self.root.appendingPathComponent("Data"))
        // The example sign-ups are too long to show: the folder is there as shipped.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("examples"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("examples/signups"),
                                                   withDestinationURL: Self.root.appendingPathComponent("examples/signups"))
        var exported: [String: String] = [:]
        for step in steps {
            switch step {
            case let .file(name, text):
                // A file named with its folder is a shipped one (`examples/rules.yaml`): the README
                // shows it as it is, so a newcomer running the examples gets the same output.
                if name.contains("/") {
                    let shipped = try String(contentsOf: Self.root.appendingPathComponent(name), encoding: .utf8)
                    #expect(shipped == text, "README.md shows \(name) other than the shipped file")
                    try FileManager.default.createDirectory(at: dir.appendingPathComponent(name).deletingLastPathComponent(),
                                                            withIntermediateDirectories: true)
                }
                let target = dir.appendingPathComponent(name)
                if (try? String(contentsOf: target, encoding: .utf8)) != text {   // a shipped folder linked in stays untouched
                    try text.write(to: target, atomically: true, encoding: .utf8)
                }
            case let .command(command, expected, line):
                // `export NAME=value` holds for the commands after it, as in a shell session.
                if let match = command.wholeMatch(of: /export ([A-Z_]+)=(\S+)/) {
                    exported[String(match.1)] = String(match.2)
                    continue
                }
                let output = try Self.shell(command, in: dir, path: binary.deletingLastPathComponent().path, environment: exported)
                var lines = output.components(separatedBy: "\n")
                if lines.last == "" { lines.removeLast() }
                #expect(Self.matches(expected, lines), """
                    README.md:\(line): $ \(command)
                    expected:
                    \(expected.joined(separator: "\n"))
                    got:
                    \(lines.joined(separator: "\n"))
                    """)
            }
        }
    }

    /// Whether the binary exists and is newer than every source file and the manifest.
    static func isFresh(_ binary: URL) -> Bool {
        let fm = FileManager.default
        guard let built = (try? fm.attributesOfItem(atPath: binary.path))?[.modificationDate] as? Date else { return false }
        var sources = [root.appendingPathComponent("Package.swift")]
        if let walk = fm.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil) {
            sources += walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        }
        return sources.allSatisfy { ((try? fm.attributesOfItem(atPath: $0.path))?[.modificationDate] as? Date ?? .distantFuture) <= built }
    }

    static func shell(_ command: String, in dir: URL, path: String, environment extra: [String: String] = [:]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["COLUMNS"] = "100"
        environment.removeValue(forKey: "TWINNING_JOB")
        environment.merge(extra) { _, new in new }
        return try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command], in: dir, environment: environment, clean: true,
                              mergingStderr: true).stdout
    }
}
