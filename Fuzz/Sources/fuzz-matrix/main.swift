import Foundation
import Twinning

/// Any bytes as an `assign` matrix.
func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = try? NumericMatrix.parse(Data(bytes: start, count: count), file: "fuzz.csv")
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
