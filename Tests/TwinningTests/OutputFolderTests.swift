import Foundation
import Testing
@testable import Twinning
@testable import TwinningShared
@testable import TwinningInput
@testable import TwinningScoring
@testable import TwinningMatching
@testable import TwinningOutput
@testable import TwinningResearch

/// A folder of outputs appears whole or not at all, also when its files are handed over
/// one by one, from several threads, as they are rendered.
@Suite struct OutputFolderTests {
    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("twinning-out-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    @Test("files emitted from two threads at once are all written, then the folder appears")
    func emittedFromThreads() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/out"
        try OutputFolder.write(to: target) { (emit) throws(OutputError) in
            var failures = [OutputError?](repeating: nil, count: 2)
            failures.withUnsafeMutableBufferPointer { buffer in
                let shared = SharedBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: 2) { k in
                    do throws(OutputError) { for f in 0..<5 { try emit("file-\(k)-\(f).txt", Data("\(k) \(f)\n".utf8)) } } catch { shared[k] = error }
                }
            }
            if let failure = failures.compactMap({ $0 }).first { throw failure }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: target).sorted()
        #expect(names == (0..<2).flatMap { k in (0..<5).map { "file-\(k)-\($0).txt" } }.sorted())
        #expect(try String(contentsOfFile: target + "/file-1-3.txt", encoding: .utf8) == "1 3\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["out"])
    }

    @Test("a failure after some files were written leaves no folder and no temporary folder")
    func failureAfterSomeFiles() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let target = parent + "/out"
        #expect(throws: OutputError.self) {
            try OutputFolder.write(to: target) { (emit) throws(OutputError) in
                try emit("first.csv", Data("a,b\n".utf8))
                throw OutputError(.notRepresentable, path: target, "a value JSON cannot hold")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    @Test("an output that cannot be made names the path as given and the folder in the way")
    func reasonsNameThePathGiven() {
        #expect(OutputFile.reason(EACCES, parentOf: "ro/out") == "no permission to write in ro (Permission denied)")
        #expect(OutputFile.reason(EROFS, parentOf: "out") == "no permission to write in . (Read-only file system)")
        #expect(OutputFile.reason(ENOTDIR, parentOf: "afile/sub") == "afile is not a folder")
        #expect(OutputError(.wrongKind, path: "", "is no name: name a folder to create").description == "'': is no name: name a folder to create")
        #expect(throws: OutputError.self) { try OutputFolder.checkAvailable("") }
        #expect(throws: OutputError.self) { try OutputFile.checkAvailable("", replace: true) }
    }

    @Test("a temporary output file is kept for removal while it is written: what a signal's handler removes, then given back")
    func partialFilesRemovedOnSignal() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/.report.html.partial-Ab12Cd"
        FileManager.default.createFile(atPath: path, contents: Data("half".utf8))
        let slot = PartialFiles.register(path)
        #expect(slot >= 0)
        PartialFiles.removeAll()
        #expect(!FileManager.default.fileExists(atPath: path))
        PartialFiles.unregister(slot)
        FileManager.default.createFile(atPath: path, contents: Data("again".utf8))
        PartialFiles.removeAll()
        #expect(FileManager.default.fileExists(atPath: path), "given back: no longer removed")
        // Writing a file registers its temporary file only while it is written.
        try OutputFile.write(Data("page".utf8), to: parent + "/report.html", replace: true)
        #expect((0..<PartialFiles.capacity).allSatisfy { PartialFiles.slots[$0] == nil })
    }
}
