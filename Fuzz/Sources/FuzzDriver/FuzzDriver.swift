import Foundation

// SwiftPM links an executable's top-level code as its `main`, in place of libFuzzer's, so
// each target's entry point hands its arguments to libFuzzer's driver through here.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

/// The target's test, for the C callback (which cannot capture it).
nonisolated(unsafe) private var test: (UnsafeRawPointer, Int) -> Void = { _, _ in }

/// Runs libFuzzer with the process's arguments, calling `body` on every input; exits with
/// libFuzzer's status.
public func fuzz(_ body: @escaping (UnsafeRawPointer, Int) -> Void) -> Never {
    test = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, count in test(data, count); return 0 })
}
