import Foundation
import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// Why an output could not be written, with the path as the user gave it.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is; cases may grow, so switch with a default.
    public enum Code: Sendable, Equatable {
        /// The output folder or file exists already.
        case exists
        /// Something other than what was expected is in the way (a directory where a
        /// file goes, a symbolic link).
        case wrongKind
        /// The folder or file cannot be created or written (permissions, disk full).
        case cannotWrite
        /// A value cannot be written in the format (a number JSON cannot hold).
        case notRepresentable
    }
    public let code: Code
    public let path: String
    public let reason: String

    public init(_ code: Code, path: String, _ reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path.isEmpty ? "''" : path): \(reason)" }
}

/// A folder of output files that appears whole or not at all.
///
/// The files are written into a temporary folder made next to the target with a unique
/// name (`mkdtemp`), created exclusively and without following symbolic links, then
/// renamed into place with `renameat2(RENAME_NOREPLACE)`, which fails rather than
/// replace anything that appeared meanwhile. On any failure only that temporary folder
/// (which this run made) is removed: nothing of the user's is ever deleted.
public enum OutputFolder {
    /// Refuses a target that exists, before any work is done.
    public static func checkAvailable(_ directory: String) throws(OutputError) {
        guard !directory.isEmpty else { throw OutputError(.wrongKind, path: directory, "is no name: name a folder to create") }
        var status = stat()
        if lstat(directory, &status) == 0 {
            throw OutputError(.exists, path: directory, "already exists: choose another --out or remove it")
        }
    }

    /// Writes `files` (name → bytes) into `directory`, which must not exist yet. With
    /// `staging`, that exact folder is made for the files (the batch names it in its
    /// store); `staged` is called once every file is written and synced.
    public static func write(_ files: [String: Data], to directory: String, staging: String? = nil,
                             staged: () -> Void = {}) throws(OutputError) {
        try write(to: directory, staging: staging, staged: staged) { (emit) throws(OutputError) in
            for (name, data) in files.sorted(by: { $0.key < $1.key }) { try emit(name, data) }
        }
    }

    /// Writes the files `produce` hands to `emit` into `directory`, which must not exist
    /// yet, each as soon as it is handed over: a producer that renders files on several
    /// cores writes one while it renders the next. `emit` may be called from several
    /// threads at once, each time with a different name.
    public static func write(to directory: String, staging: String? = nil, staged: () -> Void = {},
                             producing produce: (_ emit: Emit) throws(OutputError) -> Void) throws(OutputError) {
        try checkAvailable(directory)
        let target = URL(fileURLWithPath: directory)
        let parent = target.deletingLastPathComponent().path
        var status = stat()
        if stat(parent, &status) != 0 {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw OutputError(.cannotWrite, path: directory, "cannot create its parent folder: \(error.localizedDescription)")
            }
        }
        let temporary: TemporaryFolder
        if let staging { temporary = try TemporaryFolder(exactly: staging) } else {
            temporary = try TemporaryFolder(in: parent, for: target.lastPathComponent, reportingAs: directory)
        }
        do throws(OutputError) {
            try produce(Emit(folder: temporary, shown: directory))
            staged()
            try temporary.move(to: target.path, reportingAs: directory)
        } catch {
            temporary.remove()
            throw error
        }
    }

    /// Hands one file to ``write(to:staging:staged:producing:)``, which writes and syncs it.
    public struct Emit: Sendable {
        let folder: TemporaryFolder
        let shown: String

        public func callAsFunction(_ name: String, _ data: Data) throws(OutputError) {
            try folder.write(data, as: name, reportingAs: shown)
        }
    }
}

extension OutputFolder {
    /// Points the symbolic link `link` at `target` (relative to the link's folder): a new
    /// link made beside it and renamed over the old one, so it is never missing or half
    /// made. Anything at `link` that is not a link (a user's file or folder) is left alone
    /// and is an error.
    public static func pointLink(_ link: String, at target: String) throws(OutputError) {
        var status = stat()
        if lstat(link, &status) == 0 && (status.st_mode & S_IFMT) != S_IFLNK {
            throw OutputError(.wrongKind, path: link, "is not a link twinning made, so it is left as it is")
        }
        let url = URL(fileURLWithPath: link)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid())").path
        unlink(temporary)
        guard symlink(target, temporary) == 0, rename(temporary, link) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OutputError(.cannotWrite, path: link, "cannot point it at \(target): \(reason)")
        }
    }

    /// Removes a folder of twinning's: renamed to `aside` first (so it is gone at once for
    /// every reader), then the files `files` accepts (never through a link), then the
    /// folder, unless something else is left in it. A missing folder is no error: a
    /// removal stopped half way is finished by calling again.
    public static func remove(_ folder: String, aside: String, files: (String) -> Bool) throws(OutputError) {
        var status = stat()
        if lstat(folder, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR && rename(folder, aside) != 0 {
            throw OutputError(.cannotWrite, path: folder, "cannot be removed: \(String(cString: strerror(errno)))")
        }
        let dir = open(aside, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        guard dir >= 0 else { return }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: aside)) ?? [] where files(name) { unlinkat(dir, name, 0) }
        close(dir)
        rmdir(aside)
    }

    /// Removes a staging folder and the regular files in it, if it is a folder (a link is
    /// never followed). Only for folders the caller made or its store names.
    public static func removeStaging(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        guard fd >= 0 else { return }
        defer { close(fd) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            unlinkat(fd, name, 0)
        }
        rmdir(path)
    }
}

/// A folder this process made (with a name no one else can have) for output in progress.
struct TemporaryFolder: Sendable {
    let path: String
    let fd: Int32

    /// Makes a folder with a unique name in `parent` for the output `shown` (the path as
    /// the user gave it, which errors name).
    init(in parent: String, for name: String, reportingAs shown: String) throws(OutputError) {
        var template = Array((parent + "/.\(name).partial-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw OutputError(.cannotWrite, path: shown, "cannot be created: \(OutputFile.reason(errno, parentOf: shown))")
        }
        path = String(cString: made)
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        guard fd >= 0 else {
            rmdir(path)
            throw OutputError(.cannotWrite, path: shown, "cannot open the folder made for it: \(String(cString: strerror(errno)))")
        }
    }

    /// Makes exactly `path` (a staging folder named in the run store); it must not exist.
    init(exactly path: String) throws(OutputError) {
        guard mkdir(path, 0o700) == 0 else {
            let reason = errno == EEXIST ? "exists, and no run recorded in the store owns it: move it away"
                : String(cString: strerror(errno))
            throw OutputError(errno == EEXIST ? .exists : .cannotWrite, path: path, "cannot make the staging folder: \(reason)")
        }
        self.path = path
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        guard fd >= 0 else {
            rmdir(path)
            throw OutputError(.cannotWrite, path: path, "cannot open the staging folder: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `name` inside the folder, exclusively (never through a link), and writes it whole.
    func write(_ data: Data, as name: String, reportingAs shown: String) throws(OutputError) {
        let file = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard file >= 0 else {
            throw OutputError(.cannotWrite, path: shown, "cannot create \(name): \(String(cString: strerror(errno)))")
        }
        defer { close(file) }
        var failure = writeWhole(file, data)
        if failure == 0 && fsync(file) != 0 { failure = errno }
        if failure != 0 {
            throw OutputError(.cannotWrite, path: shown, "cannot write \(name): \(String(cString: strerror(failure)))")
        }
    }

    /// Renames the folder to `target`, failing if anything is there.
    func move(to target: String, reportingAs shown: String) throws(OutputError) {
        // Private while being written; once complete, as any folder the user makes.
        let mask = umask(0o022)
        umask(mask)
        fchmod(fd, 0o777 & ~mask)
        close(fd)
        if renameNoReplace(path, target) != 0 {
            let code = errno
            if code == EEXIST || code == ENOTEMPTY {
                throw OutputError(.exists, path: shown, "already exists: choose another --out or remove it")
            }
            throw OutputError(.cannotWrite, path: shown, "cannot move the output into place: \(String(cString: strerror(code)))")
        }
    }

    /// Removes the folder and the files this process wrote into it.
    func remove() {
        close(fd)
        OutputFolder.removeStaging(path)
    }
}

/// Writes all of `data` to `fd` (a short write continues, an interrupted one is tried
/// again): 0, or the `errno` of the write that failed.
func writeWhole(_ fd: Int32, _ data: Data) -> Int32 {
    var failure: Int32 = 0
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 { if errno == EINTR { continue }; failure = errno; return }
            offset += n
        }
    }
    return failure
}

/// `rename(2)` that refuses to replace an existing target: Linux's `renameat2` with
/// `RENAME_NOREPLACE` (looked up at run time: glibc ≥ 2.28 has it, its header is not
/// imported into Swift); elsewhere, or on a file system without it, a check then `rename`.
func renameNoReplace(_ from: String, _ to: String) -> Int32 {
    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    if let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") {
        let result = unsafeBitCast(symbol, to: RenameAt2.self)(AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */)
        if result == 0 || (errno != EINVAL && errno != ENOSYS) { return result }
    }
    var status = stat()
    if lstat(to, &status) == 0 { errno = EEXIST; return -1 }
    return rename(from, to)
}

/// A single output file (a weights file), written whole or not at all.
public enum OutputFile {
    /// Refuses, before any work, a path that holds a directory or a link, or a file when
    /// `replace` is false.
    ///   - force: the option that would replace it, named in the message (nil: the command has none).
    public static func checkAvailable(_ path: String, replace: Bool, force: String? = "--force") throws(OutputError) {
        guard !path.isEmpty else { throw OutputError(.wrongKind, path: path, "is no name: name a file to create") }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            if !replace { throw exists(path, force: force) }
        case S_IFDIR:
            throw OutputError(.wrongKind, path: path, "is a directory; expected a file name")
        case S_IFLNK:
            throw OutputError(.wrongKind, path: path, "is a symbolic link; write to the file itself")
        default:
            throw OutputError(.wrongKind, path: path, "is not a regular file")
        }
    }

    /// Writes `data` to `path` through a temporary file made next to it (`mkstemp`),
    /// renamed into place with `rename(2)`: readers see the old file or the new one, never
    /// a part. Without `replace` an existing file is refused.
    public static func write(_ data: Data, to path: String, replace: Bool, force: String? = "--force") throws(OutputError) {
        try checkAvailable(path, replace: replace, force: force)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/.\(url.lastPathComponent).partial-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputError(.cannotWrite, path: path, "cannot be created: \(reason(errno, parentOf: path))")
        }
        let temporary = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        // Stopped by SIGTERM, SIGINT or SIGHUP while writing, the process removes it first.
        let slot = PartialFiles.register(temporary)
        defer { PartialFiles.unregister(slot) }
        var failure = writeWhole(fd, data)
        if failure == 0 && (fchmod(fd, 0o644) != 0 || fsync(fd) != 0) { failure = errno }
        close(fd)
        if failure == 0 {
            let moved = replace ? rename(temporary, path) : renameNoReplace(temporary, path)
            if moved != 0 { failure = errno }
        }
        if failure != 0 {
            unlink(temporary)
            if failure == EEXIST { throw exists(path, force: force) }
            throw OutputError(.cannotWrite, path: path, "cannot write: \(String(cString: strerror(failure)))")
        }
    }

    static func exists(_ path: String, force: String?) -> OutputError {
        OutputError(.exists, path: path, "already exists: choose another name" + (force.map { ", or \($0) to replace it" } ?? ", or remove it"))
    }

    /// Why an output `path` (as the user gave it) could not be made in its folder, from
    /// `errno`: the folder's own name where the problem is the folder.
    static func reason(_ code: Int32, parentOf path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let shown = folder.isEmpty ? "." : folder
        switch code {
        case EACCES, EPERM, EROFS: return "no permission to write in \(shown) (\(String(cString: strerror(code))))"
        case ENOTDIR: return "\(shown) is not a folder"
        case ENOENT: return "\(shown) does not exist"
        default: return String(cString: strerror(code))
        }
    }
}

/// Temporary files this process is writing, removed when a signal that ends it arrives
/// (SIGTERM, SIGINT, SIGHUP), so that a stopped `report --force` leaves no
/// `.report.html.partial-…` behind. The handler only unlinks (async-signal-safe) paths
/// kept as C strings, then ends the process as the signal would have.
enum PartialFiles {
    static let capacity = 16
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
        for signal in [SIGTERM, SIGINT, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                PartialFiles.removeAll()
                Glibc.signal(received, SIG_DFL)
                raise(received)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
        return slots
    }()
    static let lock = NSLock()

    /// Keeps `path` for removal on a signal; the slot to give back (−1 when all are taken).
    static func register(_ path: String) -> Int {
        let slots = self.slots
        lock.lock(); defer { lock.unlock() }
        guard let free = (0..<capacity).first(where: { slots[$0] == nil }) else { return -1 }
        slots[free] = strdup(path)
        return free
    }

    static func unregister(_ slot: Int) {
        guard slot >= 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let path = slots[slot]
        slots[slot] = nil
        free(path)
    }

    /// Unlinks every registered file (from the signal handler, or a test).
    static func removeAll() {
        for k in 0..<capacity { if let path = slots[k] { unlink(path) } }
    }
}
