@preconcurrency import Glibc
import LinearAlgebra

// OpenBLAS reads its settings (kernels for this CPU, one thread per call) as it loads:
// set what is missing and open it now, while the program has one thread (see BLASRuntime).
if let problem = BLASRuntime.prepare() {
    fputs("error: \(problem)\n", stderr)
    exit(69)   // EX_UNAVAILABLE
}
// Lines reach a pipe or file in the order a terminal shows them, stdout and stderr mixed.
setvbuf(stdout, nil, _IOLBF, 0)
TwinningCommand.runAndExit()
