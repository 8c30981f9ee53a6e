import ArgumentParser
import Foundation

extension CleanExit {
    /// Prints the reason on stderr and exits non-zero, without a stack of help text.
    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode(1)
    }
}
