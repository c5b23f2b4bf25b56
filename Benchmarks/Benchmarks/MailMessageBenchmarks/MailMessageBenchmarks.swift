// Parse throughput of MailMessage. Divide the bytes in each benchmark's name by its wall-clock
// time for MB/s (README.md, "## MailMessage", has the figures).
import Benchmark
import Foundation
import MailMessage

/// Every .eml file of fixtures/eml, recursively.
func loadCorpus() -> [[UInt8]] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../../fixtures/eml"
    )
    .standardizedFileURL
    let paths = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".eml") }.sorted()
    return paths.compactMap { FileManager.default.contents(atPath: root.appendingPathComponent($0).path) }.map {
        [UInt8]($0)
    }
}

/// A message of about `megabytes` MB: a short text part and one base64 attachment.
func largeMessage(megabytes: Int) -> [UInt8] {
    var payload = [UInt8](repeating: 0, count: megabytes * 1_048_576 * 3 / 4)
    for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
    let encoded = Data(payload).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn])
    let head =
        "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: large\r\n"
        + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n"
    return Array((head + encoded + "\r\n--b--\r\n").utf8)
}

/// What a classifier reads from a message.
func classify(_ message: MIMEMessage) -> Int {
    message.from.address.utf8.count + message.to.count + message.subject.utf8.count + message.textBody.utf8.count
        + message.attachments.reduce(0) { $0 + $1.size } + (message.firstPublicReceivedIP == nil ? 0 : 1)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 1_000)
    let corpus = loadCorpus()
    let corpusBytes = corpus.reduce(0) { $0 + $1.count }
    let large = largeMessage(megabytes: 10)

    Benchmark("Corpus MIME parse (\(corpus.count) messages, \(corpusBytes) bytes)") { benchmark in
        for _ in benchmark.scaledIterations { for bytes in corpus { blackHole(MIMEMessage(parsing: bytes)) } }
    }
    Benchmark("Corpus parse + classifier reads (\(corpusBytes) bytes)") { benchmark in
        for _ in benchmark.scaledIterations { for bytes in corpus { blackHole(classify(MIMEMessage(parsing: bytes))) } }
    }
    Benchmark("Corpus raw split (\(corpusBytes) bytes)") { benchmark in
        for _ in benchmark.scaledIterations { for bytes in corpus { blackHole(RawMessage(parsing: bytes)) } }
    }
    Benchmark("10 MB MIME parse (\(large.count) bytes)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(MIMEMessage(parsing: large)) }
    }
    Benchmark("10 MB parse + decode attachment (\(large.count) bytes)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(classify(MIMEMessage(parsing: large))) }
    }
}
