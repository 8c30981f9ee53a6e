import Foundation

/// One-line progress on stderr, only when stderr is a terminal (never in pipes or logs).
/// There is one per process, so the top-level error handler can end the line before it
/// prints an error.
final class Progress: @unchecked Sendable {
    static let shared = Progress()

    let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var showing = false

    func step(_ text: String) {
        guard enabled else { return }
        lock.withLock {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)…".utf8))
            showing = true
        }
    }

    /// Clears the line, if anything is on it.
    func finish() {
        guard enabled else { return }
        lock.withLock {
            if showing { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            showing = false
        }
    }
}
