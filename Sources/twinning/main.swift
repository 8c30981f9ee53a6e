@preconcurrency import Glibc
#if canImport(CMalloc)
@preconcurrency import CMalloc
#endif
import LinearAlgebra

// Memory the program frees is kept for its next allocations rather than handed back to
// the kernel: a run allocates and frees hundreds of MB stage by stage (the inputs, the
// scores, the solver's arrays, the files), and every page taken fresh from the kernel
// costs a fault and a zeroed page, which on a virtual machine was most of a run's system
// time (`Benchmarks/README.md`). Allocations up to 32 MB (the most glibc allows) come
// from the heaps, which are never trimmed.
#if canImport(CMalloc)
mallopt(M_MMAP_THRESHOLD, 32 << 20)
mallopt(M_TRIM_THRESHOLD, .max)
#endif
// OpenBLAS reads its settings (kernels for this CPU, one thread per call) as it loads:
// set what is missing and open it now, while the program has one thread (see BLASRuntime).
if let problem = BLASRuntime.prepare() {
    fputs("error: \(problem)\n", stderr)
    exit(69)   // EX_UNAVAILABLE (ExitStatus.unavailable)
}
// Lines reach a pipe or file in the order a terminal shows them, stdout and stderr mixed.
setvbuf(stdout, nil, _IOLBF, 0)
TwinningCommand.runAndExit()
