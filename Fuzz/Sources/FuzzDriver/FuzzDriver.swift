// The libFuzzer entry shared by the targets that take the input as one byte array.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The body libFuzzer's C callback calls; set once, before the driver starts, and only read after.
nonisolated(unsafe) private var body: ([UInt8]) -> Void = { _ in }

/// Runs libFuzzer with the process's arguments, handing each input to `exercise` as bytes.
public func runFuzzer(_ exercise: @escaping ([UInt8]) -> Void) {
    body = exercise
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    _ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        body(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
}
