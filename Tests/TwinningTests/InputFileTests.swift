import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// `InputFile.contents` reads into a buffer of the size `fstat` gives and grows it only
/// when there is more: a pipe has no size, an empty file has nothing.
@Suite struct InputFileTests {
    @Test("a pipe (no size known in advance) is read whole, with the NUL after its bytes")
    func pipe() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twinning-pipe-\(getpid())").path
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let text = (0..<20_000).map { "line \($0),\($0 * 7)\n" }.joined()
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            text.utf8CString.withUnsafeBufferPointer { _ = write(fd, $0.baseAddress!, $0.count - 1) }
            close(fd)
        }
        writer.start()
        let contents = try InputFile.contents(path: path)
        #expect(contents.count == text.utf8.count)
        #expect(String(decoding: contents.data, as: UTF8.self) == text)
        #expect(contents.base[contents.count] == 0)
    }

    @Test("an empty file gives no bytes; a CSV table of it says it is empty")
    func empty() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twinning-empty-\(getpid()).csv").path
        FileManager.default.createFile(atPath: path, contents: Data())
        defer { unlink(path) }
        #expect(try InputFile.contents(path: path).count == 0)
        #expect(throws: InputErrors.self) { try CSVTable.load(path: path) }
    }
}
