@preconcurrency import Glibc
import LinearAlgebra

// OpenBLAS reads OPENBLAS_CORETYPE when it loads, before this line runs: pick the right
// kernels for this CPU and restart once if needed (see BLASRuntime).
BLASRuntime.selectKernelsOrRestart()
// Lines reach a pipe or file in the order a terminal shows them, stdout and stderr mixed.
setvbuf(stdout, nil, _IOLBF, 0)
TwinningCommand.runAndExit()
