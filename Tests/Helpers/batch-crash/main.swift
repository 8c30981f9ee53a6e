import Foundation
import TwinningBatch

// Test helper, not shipped: runs a batch job like `twinning batch run JOB` and kills
// itself with SIGKILL at its N-th checkpoint (BatchCheckpoint), printing the checkpoint
// first, so the tests can check what a run killed there leaves behind.
//
//   batch-crash JOB N
let arguments = CommandLine.arguments
guard arguments.count == 3, let n = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: batch-crash JOB N\n".utf8))
    exit(64)
}
var reached = 0
do {
    _ = try BatchRunner.run(jobPath: arguments[1], toolVersion: "test") { point in
        reached += 1
        guard reached == n else { return }
        FileHandle.standardOutput.write(Data("\(point)\n".utf8))
        kill(getpid(), SIGKILL)
    }
    print("finished after \(reached) checkpoints")
} catch {
    print("failed: \(error)")
    exit(1)
}
