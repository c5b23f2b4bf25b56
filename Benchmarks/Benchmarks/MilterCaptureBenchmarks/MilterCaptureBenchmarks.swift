// `--dump` throughput of MilterCapture on a generated 10 MiB capture (CaptureWorkload): the whole dump
// (scan on its own thread, transcript rendered to a discarded byte buffer) and the scan alone. Divide the
// bytes in each name by the wall-clock time for MB/s; scripts/pcap-dump-vs-tcpdump.sh compares the CLI
// with tcpdump on 100 MB.
import Benchmark
import CaptureWorkload
import Foundation
import MilterCapture

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5), maxIterations: 100)
    let path = NSTemporaryDirectory() + "milter-capture-benchmark-\(getpid()).pcap"
    guard let written = try? CaptureWorkload.write(to: path, megabytes: 10) else {
        fatalError("cannot write the capture at \(path)")
    }
    let name = "\(written.sessions) sessions, \(written.bytes) bytes"

    Benchmark("CaptureDump text (\(name))") { benchmark in
        for _ in benchmark.scaledIterations {
            var bytes = 0
            let summary = try CaptureDump.run(path: path, chunkSize: 1 << 20) { bytes += $0.count }
            blackHole((summary.sessions, bytes))
        }
    }
    Benchmark("Scan only (\(name))") { benchmark in
        for _ in benchmark.scaledIterations {
            var scanner = try MilterCaptureScanner(path: path)
            var collector = CapturedSessionCollector()
            var sessions = 0
            while try scanner.nextSession(collector: &collector) != nil { sessions += 1 }
            blackHole(sessions)
        }
    }
}
