// Feeds arbitrary bytes to the DNS response parser and reads every parsed value, so that a trap,
// an out-of-bounds read or a hang in name decompression is found.
import MilterDNS

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

func exercise(_ bytes: [UInt8]) {
    do {
        let response = try DNSResponse(parsing: bytes)
        _ = (response.isTruncated, response.responseCode.description)
        for record in response.answers + response.authorities + response.additionals {
            _ = (record.name, record.type.description, record.data)
        }
        if let question = response.questions.first {
            _ = response.answers(DNSQuery(id: response.id, question: question))
        }
    } catch {
        _ = error.description
    }
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
_ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    guard let data else { return 0 }
    exercise(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
