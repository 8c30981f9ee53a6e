#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What BLAS this process runs on, and how OpenBLAS is set up for it.
///
/// Two settings only take effect if they are in the environment when the library loads:
/// - OpenBLAS 0.3.21 (Debian 12) does not recognise recent CPUs and falls back to its
///   slowest generic kernels (about 5× slower GEMM) unless `OPENBLAS_CORETYPE` is set;
/// - OpenBLAS starts a pool of threads, each with its own buffers, that spin between
///   calls; Twinning splits its products over the cores itself (each core multiplies
///   its share of the rows), so the pool only costs time (`Benchmarks/README.md`).
///   `OPENBLAS_NUM_THREADS=1` leaves it out.
///
/// The library is opened by the program, not linked (see `BLASLibrary`), so these are set
/// just before it loads: ``prepare()``, first thing in `main`, or the first product
/// otherwise. Settings the user made are kept.
public enum BLASRuntime {
    /// The OpenBLAS core type for this CPU: the kernels OpenBLAS would pick for it if it
    /// knew it (AMD's Zen cores use the Haswell kernels too), or nil for older CPUs, which
    /// OpenBLAS detects well.
    public static func recommendedCoreType(cpuFlags: Set<Substring>) -> String? {
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512vl") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The settings OpenBLAS should load with that the environment does not already have.
    static func missingSettings() -> [(String, String)] {
        #if os(Linux)
        var settings: [(String, String)] = []
        if getenv("OPENBLAS_CORETYPE") == nil,
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

    /// Puts the missing settings in the environment (called once, as BLAS is opened).
    static func setMissingSettings() {
        #if os(Linux)
        for (name, value) in missingSettings() { setenv(name, value, 1) }
        #endif
    }

    /// Sets OpenBLAS up and opens BLAS. Call it first thing in a program, while it has one
    /// thread (it changes the environment). Returns what is wrong when no BLAS can be
    /// opened, in a sentence saying what to install.
    public static func prepare() -> String? {
        #if canImport(Accelerate)
        return nil
        #else
        return problem(BLASLibrary.openedBLAS)
        #endif
    }

    /// Opens LAPACK, which only least squares (fitting weights) needs: nil when it is
    /// there, otherwise what is wrong and how to install it.
    public static func prepareLAPACK() -> String? {
        #if canImport(Accelerate)
        return nil
        #else
        return problem(BLASLibrary.openedLAPACK)
        #endif
    }

    #if !canImport(Accelerate)
    /// What is wrong with a library opened, or nil.
    private static func problem<T>(_ opened: Result<T, BLASLibrary.Problem>) -> String? {
        switch opened {
        case .success: return nil
        case .failure(let problem): return problem.message
        }
    }
    #endif

    /// The kernel family OpenBLAS chose, or nil when the BLAS is not OpenBLAS.
    public static var detectedCore: String? {
        #if canImport(Accelerate)
        return nil
        #else
        guard let name = BLASLibrary.blas.coreName else { return nil }
        return name().map { String(cString: $0) } ?? "Unknown"
        #endif
    }

    /// A line for `--version` and `--verbose`: which BLAS and which kernels are in use.
    public static var summary: String {
        #if canImport(Accelerate)
        return "BLAS: Accelerate"
        #else
        if let core = detectedCore {
            let requested = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
            let threads = getenv("OPENBLAS_NUM_THREADS").map { String(cString: $0) } ?? "all cores"
            return "BLAS: OpenBLAS, \(core) kernels" + (requested.map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
                + ", threads per call: \(threads)"
        }
        return "BLAS: reference or unknown implementation (install libopenblas0-pthread for speed)"
        #endif
    }
}
