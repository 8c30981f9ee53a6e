import Foundation

/// An exclusive lock on a file (flock), released when the process ends, however it ends.
/// The lock file is opened without following a symbolic link, so a link planted in its
/// place cannot redirect the write of the holder's pid.
public final class Lock {
    let fd: Int32

    init(path: String) throws(BatchError) {
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw BatchError(.output, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buffer, 64, 0)
            let holder = n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw BatchError(.locked, "another `twinning batch run` is running on this output folder (pid \(holder)); "
                + "wait for it to finish: \(path) is locked")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    public func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
