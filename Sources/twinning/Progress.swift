import Foundation

/// One-line progress on stderr, only when stderr is a terminal (never in pipes or logs).
struct Progress {
    let enabled = isatty(STDERR_FILENO) == 1

    func step(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)…".utf8))
    }

    func done() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
