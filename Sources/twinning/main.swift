import LinearAlgebra

// OpenBLAS reads OPENBLAS_CORETYPE when it loads, before this line runs: pick the right
// kernels for this CPU and restart once if needed (see BLASRuntime).
BLASRuntime.selectKernelsOrRestart()
TwinningCommand.runAndExit()
