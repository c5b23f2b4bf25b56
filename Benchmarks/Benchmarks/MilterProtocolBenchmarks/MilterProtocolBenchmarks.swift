// The milter codec on one Postfix-shaped transaction (OPTNEG through EOM and QUIT, MACRO packets,
// 10 headers, a 4 KB body, and the milter's replies). One iteration is one transaction; read the
// malloc counts as mallocs per transaction (README.md, "## Performance: codec").
import Benchmark
import CodecWorkload
import MilterProtocol
import NIOCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .instructions], maxDuration: .seconds(3), maxIterations: 10_000)
    guard let workload = try? CodecWorkload() else { fatalError("fixtures/fuzz/milterprotocol is missing") }
    let bytes = workload.commandBytes.readableBytes + workload.replyBytes.readableBytes

    // What the harness itself counts per iteration; subtract it from the rows below.
    Benchmark("Baseline: empty iteration") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(bytes) }
    }
    Benchmark("Transaction: decode commands (\(workload.commands.count) frames)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try CodecWorkload.decodeCommands(workload.commandBytes)) }
    }
    Benchmark("Transaction: encode commands (\(workload.commandBytes.readableBytes) bytes)") { benchmark in
        var encoder = MilterEncoder(initialCapacity: 8192)
        for _ in benchmark.scaledIterations { blackHole(try encoder.encode(commands: workload.commands)) }
    }
    Benchmark("Transaction: decode replies (\(workload.replies.count) frames)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try CodecWorkload.decodeReplies(workload.replyBytes)) }
    }
    Benchmark("Transaction: encode replies (\(workload.replyBytes.readableBytes) bytes)") { benchmark in
        var encoder = MilterEncoder(initialCapacity: 1024)
        for _ in benchmark.scaledIterations { blackHole(try encoder.encode(replies: workload.replies)) }
    }
    Benchmark("Transaction: both sides, encode + decode (\(bytes) bytes)") { benchmark in
        var mta = MilterEncoder(initialCapacity: 8192)
        var milter = MilterEncoder(initialCapacity: 1024)
        for _ in benchmark.scaledIterations { blackHole(try workload.runTransaction(mta: &mta, milter: &milter)) }
    }
}
