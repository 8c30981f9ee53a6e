import ArgumentParser
import Assignment
import Foundation
import Twinning
import TwinningBatch

/// Exit statuses by cause (BSD sysexits), so that cron and scripts can tell them apart.
enum ExitStatus: Int32, CaseIterable {
    /// Everything went well.
    case success = 0
    /// The command line is wrong (argument-parser's own status).
    case usage = 64
    /// An input file is wrong, or the inputs contradict each other.
    case badInput = 65
    /// An input file is missing or cannot be read.
    case noInput = 66
    /// An output folder or file cannot be created (it exists, or no permission).
    case cannotCreateOutput = 73
    /// Reading or writing failed for a reason outside the inputs (the run store).
    case ioError = 74
    /// A library the command needs (BLAS, LAPACK) is missing.
    case unavailable = 69
    /// Another run holds the lock: try again later.
    case temporaryFailure = 75
    /// A bug: please report it.
    case internalError = 70

    /// What the status means, for the README and `--help`.
    var meaning: String {
        switch self {
        case .success: return "success"
        case .usage: return "the command line is wrong"
        case .badInput: return "an input file is wrong, or the inputs contradict each other"
        case .noInput: return "an input file is missing or cannot be read"
        case .cannotCreateOutput: return "an output cannot be created (it exists, or no permission)"
        case .ioError: return "the run store cannot be read or written"
        case .unavailable: return "a library it needs (BLAS, LAPACK) is missing; the message says what to install"
        case .temporaryFailure: return "another batch run holds the lock; try again later"
        case .internalError: return "an internal error (a bug)"
        }
    }
}

/// A failure the top-level handler prints: the message and the exit status.
struct Failure: Error {
    let message: String
    let status: ExitStatus

    init(_ message: String, _ status: ExitStatus) {
        self.message = message
        self.status = status
    }

    /// The failure for an error a command threw; anything unforeseen is an internal error.
    init(_ error: Error) {
        switch error {
        case let f as Failure: self = f
        case let e as InputErrors:
            self.init(e.description, e.errors.allSatisfy { $0.code == .unreadable } ? .noInput : .badInput)
        case let e as MatchError: self.init(e.description, .badInput)
        case let e as AssignmentError: self.init(e.description, .badInput)
        case let e as OutputError: self.init(e.description, e.code == .notRepresentable ? .badInput : .cannotCreateOutput)
        case let e as BatchError: self.init(e.description, e.exitStatus)
        default: self.init("\(error)", .internalError)
        }
    }
}

extension BatchError {
    var exitStatus: ExitStatus {
        switch code {
        case .locked: return .temporaryFailure
        case .input: return .badInput
        case .output: return .cannotCreateOutput
        case .store: return .ioError
        case .match: return .badInput
        }
    }
}

extension TwinningCommand {
    /// Parses, runs, and on failure ends the progress line, prints `error: …` on stderr
    /// and exits with the status for its cause.
    static func runAndExit() -> Never {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exitParsing(error) }
        do {
            try command.run()
            Progress.shared.finish()
            Foundation.exit(ExitStatus.success.rawValue)
        } catch {
            Progress.shared.finish()
            // argument-parser's own (help, which its help command throws as an error with a
            // successful exit code; validation; explicit exit codes) print its way.
            if error is CleanExit || error is ExitCode || error is ValidationError || exitCode(for: error).isSuccess {
                exitParsing(error)
            }
            let failure = Failure(error)
            FileHandle.standardError.write(Data(("error: " + failure.message + "\n").utf8))
            Foundation.exit(failure.status.rawValue)
        }
    }

    /// argument-parser's errors (usage, validation) in the tool's own style, `error: …`
    /// in lower case like every other message; help and explicit exit codes its way.
    static func exitParsing(_ error: Error) -> Never {
        let code = exitCode(for: error)
        if code.isSuccess || error is CleanExit || error is ExitCode { exit(withError: error) }
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code.rawValue)
    }
}
