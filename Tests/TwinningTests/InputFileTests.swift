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

    @Test("as spreadsheets save CSV: `;` with decimal commas, tabs in UTF-16 with a BOM; the same cells as the comma file")
    func spreadsheetDialects() throws {
        let comma = try CSVTable.parse(Data("name,share,note\n\"Łańcut; Stadt\",0.5,a\nKyiv,1,\"b, c\"\n".utf8), file: "c.csv")
        let semicolon = try CSVTable.parse(Data("\u{FEFF}name;share;note\r\n\"Łańcut; Stadt\";0,5;a\r\nKyiv;1;b, c\r\n".utf8), file: "s.csv")
        var utf16 = Data([0xFF, 0xFE])
        utf16.append("name\tshare\tnote\r\n\"Łańcut; Stadt\"\t0.5\ta\r\nKyiv\t1\tb, c\r\n".data(using: .utf16LittleEndian)!)
        let tabs = try CSVTable.parse(utf16, file: "t.txt")
        for table in [comma, semicolon, tabs] {
            #expect(table.header == ["name", "share", "note"], "\(table.file)")
            #expect((0..<2).map { table.string($0, 0) } == ["Łańcut; Stadt", "Kyiv"], "\(table.file)")
            #expect((0..<2).map { table.double($0, 1) } == [0.5, 1], "\(table.file)")
            #expect(table.string(1, 2) == "b, c", "\(table.file)")
            #expect(table.lines == [2, 3])
        }
        #expect([comma.separator, semicolon.separator, tabs.separator] == [",", ";", "\t"])
        // A decimal comma is a comma in a comma file: not a number there.
        #expect(try CSVTable.parse(Data("a,b\n\"0,5\",1\n".utf8), file: "c.csv").double(0, 0) == nil)
        // UTF-16 that is not: a clear error, naming the file.
        var broken = Data([0xFF, 0xFE]); broken.append(contentsOf: [0x00, 0xD8, 0x41])
        #expect(throws: InputErrors.self) { try CSVTable.parse(broken, file: "b.txt") }
    }
}
