#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What BLAS this process runs on, and how OpenBLAS is set up for it.
///
/// Two settings only take effect if they are in the environment before the library
/// loads, which happens before `main`:
/// - OpenBLAS 0.3.21 (Debian 12) does not recognise recent CPUs and falls back to its
///   slowest generic kernels (about 5× slower GEMM) unless `OPENBLAS_CORETYPE` is set;
/// - OpenBLAS starts a pool of threads, each with its own buffers, that spin between
///   calls; Twinning splits its products over the cores itself (each core multiplies
///   its share of the rows), so the pool only costs time (`Benchmarks/README.md`).
///   `OPENBLAS_NUM_THREADS=1` leaves it out.
///
/// ``selectKernelsOrRestart()`` sets what is missing and re-executes the program once, so
/// users get full speed without knowing about it. Settings the user made are kept.
public enum BLASRuntime {
    /// The environment variable that, when set to anything, disables the restart.
    public static let optOut = "TWINNING_NO_BLAS_RESTART"

    /// The OpenBLAS core type for this CPU, or nil when OpenBLAS's own detection is fine.
    public static func recommendedCoreType(cpuFlags: Set<Substring>) -> String? {
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512vl") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The environment OpenBLAS should have had, for what is missing from it.
    static func missingSettings() -> [(String, String)] {
        #if os(Linux)
        guard let core = detectedCore else { return [] }   // not OpenBLAS
        var settings: [(String, String)] = []
        // Kernels: only when OpenBLAS settled for an old generic one (an AMD EPYC is
        // detected as Zen and needs nothing; a recent Intel core falls back to Prescott).
        if getenv("OPENBLAS_CORETYPE") == nil, fallbackCores.contains(core),
           let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
           let recommended = recommendedCoreType(cpuFlags: Set(flagsLine.split(separator: " "))) {
            settings.append(("OPENBLAS_CORETYPE", recommended))
        }
        if getenv("OPENBLAS_NUM_THREADS") == nil && getenv("OMP_NUM_THREADS") == nil {
            settings.append(("OPENBLAS_NUM_THREADS", "1"))
        }
        return settings
        #else
        return []
        #endif
    }

    /// Sets what OpenBLAS is missing and re-executes this program once, if anything is.
    public static func selectKernelsOrRestart() {
        #if os(Linux)
        guard getenv(optOut) == nil else { return }
        let settings = missingSettings()
        guard !settings.isEmpty else { return }
        for (name, value) in settings { setenv(name, value, 1) }
        setenv(optOut, "1", 1)   // never loop, even if exec fails half-way
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // exec failed: carry on with whatever OpenBLAS chose.
        #endif
    }

    /// Kernels OpenBLAS falls back to when it does not recognise a CPU.
    static let fallbackCores: Set<String> = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Sandybridge", "Katmai",
        "Coppermine", "Northwood", "Banias", "Barcelona", "Opteron", "Bulldozer", "Piledriver", "Unknown", "",
    ]

    /// The kernel family OpenBLAS chose, or nil when the BLAS is not OpenBLAS.
    public static var detectedCore: String? {
        #if os(Linux)
        typealias NameFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "openblas_get_corename") else { return nil }
        return unsafeBitCast(symbol, to: NameFunction.self)().map { String(cString: $0) } ?? "Unknown"
        #else
        return nil
        #endif
    }

    /// A line for `--version` and `--verbose`: which BLAS and which kernels are in use.
    public static var summary: String {
        #if os(Linux)
        if let core = detectedCore {
            let requested = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
            let threads = getenv("OPENBLAS_NUM_THREADS").map { String(cString: $0) } ?? "all cores"
            return "BLAS: OpenBLAS, \(core) kernels" + (requested.map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
                + ", threads per call: \(threads)"
        }
        return "BLAS: reference or unknown implementation (install libopenblas0-pthread for speed)"
        #else
        return "BLAS: Accelerate"
        #endif
    }
}
