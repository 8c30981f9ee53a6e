import Foundation
import Testing
import TwinningTestSupport

/// Tests that need a tool beyond Swift, or time, carry a tag, so a run can choose them
/// (`swift test --filter`, or Xcode's test plans) and a reader knows what they need.
extension Tag {
    /// Runs the HTML report in Debian's headless Chromium (`chromium`, `chromium-driver`).
    @Tag static var browser: Self
    /// Runs Debian's Python 3 with matplotlib (`python3-matplotlib`).
    @Tag static var python: Self
    /// Runs LibreOffice headless (`libreoffice-calc`): spreadsheets as people open and save them.
    @Tag static var spreadsheet: Self
    /// Runs the README's examples with the release build (`swift build -c release`).
    @Tag static var readme: Self
    /// Long runs: the full cross-validation of the README.
    @Tag static var slow: Self
}

/// Whether what a tagged test needs is here. Outside CI a test whose tool is missing is
/// skipped with the reason (the README's set-up installs every tool); in CI (`CI=true`, as
/// `.ci/run` runs) every tagged test runs, so a missing tool fails it, and `.ci/run` also
/// fails when any test was skipped. Slow runs are on in CI and with `TWINNING_SLOW=1`.
enum Tool {
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static var chromium: Bool {
        inCI || [WebDriver.chromium, WebDriver.chromedriver].allSatisfy(FileManager.default.isExecutableFile(atPath:))
    }

    static var matplotlib: Bool {
        inCI || (try? ReadmeTests.shell("/usr/bin/python3 -c 'import matplotlib' && echo yes", in: URL(fileURLWithPath: "/"),
                                        path: "/usr/bin:/bin")) == "yes\n"
    }

    static let soffice = "/usr/bin/soffice"

    static var libreOffice: Bool { inCI || FileManager.default.isExecutableFile(atPath: soffice) }

    static var releaseBuild: Bool {
        inCI || ReadmeTests.isFresh(ReadmeTests.root.appendingPathComponent(".build/release/twinning"))
    }

    static var slowRuns: Bool { inCI || ProcessInfo.processInfo.environment["TWINNING_SLOW"] == "1" }
}
