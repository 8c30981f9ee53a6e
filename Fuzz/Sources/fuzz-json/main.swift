import Foundation
import Twinning

/// Any bytes as a JSON registry of either side: an error naming a record, or a registry.
func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    for side in [Side.hromadas, .partners] { _ = try? Registry.parseJSON(data, file: "fuzz.json", side: side) }
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
