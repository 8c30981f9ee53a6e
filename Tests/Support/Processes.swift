import Foundation

/// What the tests share: one way to run a program and read what it printed, scratch
/// folders, and where `swift build` put this package's executables. A library target
/// (`TwinningTestSupport`) so every test bundle uses the same, not one launcher each.

/// A finished program: its exit status (or signal), and what it printed on each stream.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// Whether it ended by a signal (then `status` is the signal's number).
    public let killed: Bool
}

/// Runs `executable` with `arguments` in `directory` and waits for it. `environment` is
/// added to this process's own (or replaces it with `clean`); `stderr: .merged` reads both
/// streams as one, in order, into `stdout`.
public func runProcess(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
                       clean: Bool = false, mergingStderr: Bool = false) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if clean || !environment.isEmpty {
        process.environment = (clean ? [:] : ProcessInfo.processInfo.environment).merging(environment) { $1 }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = mergingStderr ? out : err
    try process.run()
    // Both pipes are drained at once: a program filling one while we wait on the other would hang.
    final class Box: @unchecked Sendable { var data = Data() }
    let stderrBox = Box()
    let group = DispatchGroup()
    if !mergingStderr {
        group.enter()
        DispatchQueue.global().async { stderrBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    }
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let stderrData = stderrBox.data
    return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                         stderr: String(decoding: stderrData, as: UTF8.self), killed: process.terminationReason == .uncaughtSignal)
}

/// An executable of this package that `swift build` put beside the test bundle.
public func helperBinary(_ name: String, near source: String = #filePath) throws -> URL {
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var candidates = [runner.deletingLastPathComponent().appendingPathComponent(name)]
    var dir = runner.deletingLastPathComponent()
    for _ in 0..<4 { dir = dir.deletingLastPathComponent(); candidates.append(dir.appendingPathComponent(name)) }
    candidates.append(URL(fileURLWithPath: source).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/\(name)").standardized)
    guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(name) binary not found near \(runner.path)"])
    }
    return binary
}

/// The `twinning` executable that `swift test` built beside the test bundle.
public func twinningBinary() throws -> URL { try helperBinary("twinning") }

/// Runs the built `twinning` in `directory`.
public func runTwinning(_ arguments: [String], in directory: URL,
                        environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let r = try runProcess(try twinningBinary(), arguments, in: directory, environment: environment)
    return (r.status, r.stdout, r.stderr)
}

/// A new empty folder for one test.
public func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("twinning-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
