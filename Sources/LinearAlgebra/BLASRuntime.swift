#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What BLAS this process runs on, and the fix for OpenBLAS's CPU detection.
///
/// OpenBLAS 0.3.21 (Debian 12) does not recognise recent CPUs and falls back to its
/// slowest generic kernels (about 5× slower GEMM) unless `OPENBLAS_CORETYPE` is set
/// before the library loads, which happens before `main`. ``selectKernelsOrRestart()``
/// reads the CPU's features and, when the variable is unset, sets it and re-executes the
/// program once, so users get full speed without knowing about it.
public enum BLASRuntime {
    /// The environment variable that, when set to anything, disables the restart.
    public static let optOut = "TWINNING_NO_BLAS_RESTART"

    /// The OpenBLAS core type for this CPU, or nil when OpenBLAS's own detection is fine.
    public static func recommendedCoreType(cpuFlags: Set<Substring>) -> String? {
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512vl") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Sets `OPENBLAS_CORETYPE` and re-executes this program once, if that helps.
    public static func selectKernelsOrRestart() {
        #if os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv(optOut) == nil else { return }
        // Only when OpenBLAS settled for an old generic kernel (an AMD EPYC here is
        // detected as Zen and needs nothing; a recent Intel core falls back to Prescott).
        if let core = detectedCore, !fallbackCores.contains(core) { return }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let core = recommendedCoreType(cpuFlags: Set(flagsLine.split(separator: " ")))
        else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(optOut, "1", 1)   // never loop, even if exec fails half-way
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // exec failed: carry on with whatever kernels OpenBLAS chose.
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
            return "BLAS: OpenBLAS, \(core) kernels" + (requested.map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
        }
        return "BLAS: reference or unknown implementation (install libopenblas0-pthread for speed)"
        #else
        return "BLAS: Accelerate"
        #endif
    }
}
