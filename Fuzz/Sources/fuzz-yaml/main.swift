import Foundation
import Twinning

/// Any bytes as a weights file and a rules file.
func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let text = String(data: Data(bytes: start, count: count), encoding: .utf8) else { return 0 }
    _ = try? Weights.parse(text, file: "fuzz.yaml")
    _ = try? Rules.parse(text, file: "fuzz.yaml")
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
