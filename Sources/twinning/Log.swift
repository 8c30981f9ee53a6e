import Foundation
import Logging

/// How batch commands print: on a terminal, plain lines (`warning: ` before warnings);
/// elsewhere (cron, a log file), each line starts with its UTC time and level, so a log
/// can be read back night by night.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let timestamped: Bool

    init(timestamped: Bool = isatty(STDOUT_FILENO) != 1) {
        self.timestamped = timestamped
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let text: String
        if timestamped {
            let time = ISO8601DateFormatter().string(from: Date())
            text = "\(time) \(level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(message)"
        } else {
            text = (level >= .warning ? "\(level == .warning ? "warning" : "error"): " : "") + "\(message)"
        }
        // Errors on stderr, as every command's errors; the rest on stdout. A cron line
        // `>> log 2>&1` keeps them in order: stdout is line-buffered.
        if level >= .error {
            fflush(nil)   // every stream: stdout first
            FileHandle.standardError.write(Data((text + "\n").utf8))
        } else {
            print(text)
        }
    }

    /// The logger batch commands print through.
    static let logger: Logger = {
        LoggingSystem.bootstrap { _ in ConsoleLogHandler() }
        return Logger(label: "twinning.batch")
    }()
}
