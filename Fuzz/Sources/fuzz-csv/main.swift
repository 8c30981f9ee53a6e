import Foundation
import Twinning

/// Any bytes as a CSV file, a hromadas file and a partners file: an error or a table,
/// never a crash.
func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    _ = try? CSVTable.parse(data, file: "fuzz.csv")
    _ = try? CSVTable.parse(data, file: "fuzz.csv", header: false)
    for side in [Side.hromadas, .partners] { _ = try? Registry.parse(data, file: "fuzz.csv", side: side) }
    return 0
}

// SwiftPM links an executable's top-level code as its `main`, in place of libFuzzer's, so
// the entry point hands the arguments to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzz($0, $1) })
