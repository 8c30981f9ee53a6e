#if canImport(Glibc)
import Glibc
#endif

/// Memory for the solver's large arrays. On Linux it asks for transparent huge pages
/// (2 MB), which the kernel grants on request by default: an array of tens of MB then
/// costs a few page faults instead of thousands, each of which zeroes and maps a 4 KB page
/// (1–3 µs apiece on a virtual machine).
enum LargeMemory {
    static let hugePage = 1 << 21

    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        var raw: UnsafeMutableRawPointer?
        #if os(Linux)
        if bytes >= hugePage, posix_memalign(&raw, hugePage, bytes) == 0, let raw {
            _ = madvise(raw, bytes, MADV_HUGEPAGE)
            return raw.bindMemory(to: T.self, capacity: max(1, count))
        }
        #endif
        raw = malloc(bytes)
        guard let raw else { fatalError("out of memory: \(bytes) bytes") }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>) { free(pointer) }
}
