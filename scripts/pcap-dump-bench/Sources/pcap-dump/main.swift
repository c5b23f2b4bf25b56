import MilterCapture

// pcap-dump FILE [--json]: the --dump pipeline (CaptureDump.run), written to stdout through a 64 KiB buffer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffers text and writes it to a file descriptor with write(2).
struct Output {
    let descriptor: Int32
    var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < buffer.count {
            let count = buffer[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            offset += count
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

let arguments = CommandLine.arguments
var output = Output(descriptor: 1)
var errors = Output(descriptor: 2)
guard arguments.count >= 2 else {
    errors.write("usage: pcap-dump FILE [--json]\n")
    errors.flush()
    exit(2)
}
if arguments.contains("--scan-only") {
    // Reads, reassembles and extracts sessions without rendering, to split the cost.
    var scanner = try MilterCaptureScanner(path: arguments[1])
    var collector = CapturedSessionCollector()
    var sessions = 0
    while try scanner.nextSession(collector: &collector) != nil { sessions += 1 }
    errors.write("\(sessions) sessions scanned\n")
    errors.flush()
    exit(0)
}
do {
    let summary = try CaptureDump.run(path: arguments[1], format: arguments.contains("--json") ? .json : .text) {
        output.write($0)
    }
    output.flush()
    errors.write("\(summary.sessions) sessions, \(summary.statistics.packets) packets\n")
} catch {
    errors.write("pcap-dump: \(error)\n")
    errors.flush()
    exit(1)
}
errors.flush()
