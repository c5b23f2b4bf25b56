import Foundation
import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// `milter-replay merge`: two runs' `--json` summaries add up to the summary of one run over the
/// same messages, latency percentiles included (through the HdrHistogram V2 encoding).
struct SummaryMergeTests {
    static let entry = CorpusEntry(
        path: "a.eml",
        message: MilterMessage(sender: EnvelopeAddress(mailbox: ""), recipients: [], headerFields: [], body: []),
        expected: .accept)

    /// Message `sequence`: latencies spread from 37 µs to over a minute, a few rejects, findings and
    /// failed connections.
    static func outcome(_ sequence: Int) -> MessageOutcome {
        let latency = Duration.microseconds(Int64(37 + (sequence * sequence * 7919) % 70_000_000))
        if sequence % 97 == 3 {
            return MessageOutcome(
                sequence: sequence, entry: entry, result: nil, connectError: "cannot connect to x: refused",
                connectionFindings: [], latency: .zero)
        }
        var result = TransactionResult(steps: [], verdict: sequence % 13 == 0 ? .reject : .accept)
        if sequence % 31 == 0 { result.findings = [Finding(.endOfFile, step: .endOfMessage)] }
        return MessageOutcome(
            sequence: sequence, entry: entry, result: result, connectError: nil, connectionFindings: [],
            latency: latency)
    }

    @Test func mergingTwoRunsEqualsOneRunOverTheSameLatencies() throws {
        var first = RunSummary()
        var second = RunSummary()
        var whole = RunSummary()
        for sequence in 0..<5_000 {
            let outcome = Self.outcome(sequence)
            if sequence % 3 == 0 { first.add(outcome) } else { second.add(outcome) }
            whole.add(outcome)
        }
        let lines = [JSONReport.summary(first, seconds: 9.5), JSONReport.summary(second, seconds: 10)]
        let (merged, seconds) = try SummaryMerge.merge(lines.map { try SummaryMerge.decode($0) })
        #expect(seconds == 10)
        #expect(merged.messages == whole.messages && merged.messages > 4_900)
        #expect(merged.connectFailures == whole.connectFailures && merged.connectFailures > 40)
        #expect(JSONReport.summary(merged, seconds: 10) == JSONReport.summary(whole, seconds: 10))
        #expect(TextReport.summary(merged, seconds: 10) == TextReport.summary(whole, seconds: 10))
    }

    @Test func theHistogramRoundTripsThroughItsEncoding() throws {
        var summary = RunSummary()
        for sequence in 0..<2_000 { summary.add(Self.outcome(sequence)) }
        let text = HistogramCoding.encode(summary.latencies)
        #expect(text.hasPrefix("HISTFAAA"))
        let decoded = try HistogramCoding.decode(text)
        #expect(HistogramCoding.encode(decoded) == text)
        #expect(decoded.totalCount == summary.latencies.totalCount)
        for percentile in [0.0, 50, 90, 99, 99.9, 100] {
            #expect(decoded.valueAtPercentile(percentile) == summary.latencies.valueAtPercentile(percentile))
        }
    }

    /// The encoding of 1, 2, 1000 and 123456 µs and 3,000,000 µs twice. HdrHistogram's Python library
    /// (`hdrh`, `HdrHistogram.decode`) reads this string back as 6 values, p50 1000 and max 3,000,319
    /// (the highest value equivalent to 3,000,000 at 3 significant digits).
    @Test func aKnownEncoding() throws {
        var summary = RunSummary()
        for microseconds: Int64 in [1, 2, 1000, 123_456, 3_000_000, 3_000_000] {
            summary.add(
                MessageOutcome(
                    sequence: 0, entry: Self.entry, result: TransactionResult(steps: [], verdict: .accept),
                    connectError: nil, connectionFindings: [], latency: .microseconds(microseconds)))
        }
        let text = HistogramCoding.encode(summary.latencies)
        #expect(text == Self.knownEncoding)
        let decoded = try HistogramCoding.decode(text)
        #expect(decoded.totalCount == 6)
        #expect(decoded.valueAtPercentile(50) == 1000)
    }

    static let knownEncoding =
        "HISTFAAAAD94AQE0AMv/HISTEwAAAAwAAAAAAAAAAwAAAAAAAAABAAAAANaTpAA/8AAAAAAAAAACAskPAr9uAttIBJrYB8c="

    @Test func badInputIsAClearError() {
        #expect(throws: HistogramCoding.DecodingError.self) { try HistogramCoding.decode("not base64!") }
        #expect(throws: HistogramCoding.DecodingError.self) { try HistogramCoding.decode("HISTFAAAAAA=") }
        #expect(throws: SummaryMerge.MergeError.self) { try SummaryMerge.decode(#"{"type":"message"}"#) }
    }

    /// A capture replay's summary (`--pcap --json`) is refused in words, not with the decoder's dump.
    @Test func aCaptureSummaryIsRefusedInWords() {
        let error = #expect(throws: SummaryMerge.MergeError.self) {
            try SummaryMerge.decode(#"{"type":"summary","sessions":4,"same":0}"#)
        }
        #expect(
            error?.description
                == "not the summary of an .eml replay: \"messages\" is missing (merge takes the summaries of "
                + "`milter-replay --json` runs over .eml files, not of --pcap, scenario or conformance runs)")
    }

    /// A summary line with its `messages` replaced by `count`.
    static func summaryLine(messages count: String) -> String {
        var summary = RunSummary()
        for sequence in 0..<10 { summary.add(Self.outcome(sequence)) }
        let line = JSONReport.summary(summary, seconds: 1)
        return line.replacingOccurrences(of: #""messages":\#(summary.messages)"#, with: #""messages":\#(count)"#)
    }

    /// Counts no run can have, and counts that add up past what an `Int` holds, are clear errors:
    /// `merge` trapped on an arithmetic overflow.
    @Test func countsOutOfRangeAreRefusedNotOverflowed() throws {
        #expect(Self.summaryLine(messages: "7").contains(#""messages":7,"#))
        for count in ["9223372036854775807", "-1", "281474976710657"] {
            #expect(throws: SummaryMerge.MergeError.self) { try SummaryMerge.decode(Self.summaryLine(messages: count)) }
        }
        let largest = try SummaryMerge.decode(Self.summaryLine(messages: "281474976710656"))
        #expect(largest.0.messages == 1 << 48)
        let error = #expect(throws: SummaryMerge.MergeError.self) {
            try SummaryMerge.merge([largest, try SummaryMerge.decode(Self.summaryLine(messages: "1"))])
        }
        #expect(error?.description.contains("add up to more than") == true)
    }

    /// A damaged histogram: a run of empty buckets of `Int64.min` (its negation overflows), runs that
    /// add up past `Int.max`, counts that add up past the limit.
    @Test func damagedHistogramsAreRefusedNotOverflowed() {
        let encodings: [[Int64]] = [
            [.min, 1], [-Int64.max, -Int64.max, 1], [Int64.max, Int64.max], [1 << 47, 1 << 47, 1 << 47],
        ]
        for values in encodings {
            let text = HistogramCoding.encode(values: values, lowest: 1, highest: 3_600_000_000, digits: 3)
            #expect(throws: HistogramCoding.DecodingError.self) { try HistogramCoding.decode(text) }
        }
        let fine = HistogramCoding.encode(values: [0, 2, -5, 1], lowest: 1, highest: 3_600_000_000, digits: 3)
        #expect((try? HistogramCoding.decode(fine))?.totalCount == 3)
    }

    /// Headers HdrHistogram's arithmetic cannot take are refused: hdrhistogram-swift trapped on a
    /// precondition (lowest 2^62, 0 digits), the layout loop ran for ever (lowest 2^62), `2 * lowest`
    /// overflowed (lowest 2^63).
    @Test func unsupportedHistogramLayoutsAreRefused() {
        let headers: [(lowest: UInt64, highest: UInt64, digits: UInt32)] = [
            (0, 1000, 3), (1 << 63, .max, 3), (1 << 62, 1 << 63, 0), (1 << 62, 1 << 63, 5), (1000, 1999, 3),
            (1, 1000, 6), ((1 << 55) - 1, .max, 2), (1, .max, 5),
        ]
        for header in headers {
            let text = HistogramCoding.encode(
                values: [1], lowest: header.lowest, highest: header.highest, digits: header.digits)
            let error = #expect(throws: HistogramCoding.DecodingError.self) { try HistogramCoding.decode(text) }
            #expect(error?.description.contains("\(header.highest)") == true, "\(header)")
        }
        for (lowest, highest, digits): (UInt64, UInt64, UInt32) in [(1, 2, 0), (1 << 54, .max, 2), (1, .max, 3)] {
            let text = HistogramCoding.encode(values: [1], lowest: lowest, highest: highest, digits: digits)
            #expect((try? HistogramCoding.decode(text))?.totalCount == 1, "\(lowest) \(highest) \(digits)")
        }
    }

    /// Summaries whose histograms have different layouts are refused, naming the file:
    /// hdrhistogram-swift's `add` trapped on them.
    @Test func histogramsOfDifferentLayoutsAreNotMerged() throws {
        var summary = RunSummary()
        for sequence in 0..<10 { summary.add(Self.outcome(sequence)) }
        let line = JSONReport.summary(summary, seconds: 1)
        let encoded = HistogramCoding.encode(summary.latencies)
        #expect(line.contains(encoded))
        for (lowest, highest, digits): (UInt64, UInt64, UInt32) in [(1, 2, 0), (1, 3_600_000_000, 2), (1, .max, 3)] {
            let other = HistogramCoding.encode(values: [1], lowest: lowest, highest: highest, digits: digits)
            let runs = try [line, line.replacingOccurrences(of: encoded, with: other)].map(SummaryMerge.decode)
            let error = #expect(throws: SummaryMerge.MergeError.self) {
                try SummaryMerge.merge(runs, names: ["a.json", "b.json"])
            }
            #expect(error?.description.hasPrefix("b.json: latencyHistogram has another layout") == true)
        }
    }

    @Test func theMergeCommandReadsTheSummaryLineOfEachFile() async throws {
        let directory = try Scratch.makeDirectory("merge")
        defer { Scratch.remove(directory) }
        var paths: [String] = []
        for (index, range) in [0..<40, 40..<100].enumerated() {
            var summary = RunSummary()
            var text = ""
            for sequence in range {
                let outcome = Self.outcome(sequence)
                summary.add(outcome)
                text += JSONReport.line(outcome, includeMessage: false) + "\n"
            }
            let path = directory.appendingPathComponent("run\(index).json").path
            try (text + JSONReport.summary(summary, seconds: 2) + "\n").write(
                toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        var whole = RunSummary()
        for sequence in 0..<100 { whole.add(Self.outcome(sequence)) }
        let result = try await ReplayBinary.run(["merge", "--json"] + paths)
        #expect(result.stdout == JSONReport.summary(whole, seconds: 2) + "\n")
        #expect(result.status == whole.exitCode)
        let missing = try await ReplayBinary.run(["merge", directory.appendingPathComponent("none.json").path])
        #expect(missing.status == ExitCodes.usage)
        #expect(missing.stderr.contains("none.json"))
    }

    /// Only a regular file is read: a FIFO no one writes to blocked the merge for ever, a device was read as an
    /// empty file. The name in the error has its control characters escaped.
    @Test func aFIFOOrADeviceIsRefusedAndItsNameEscaped() throws {
        let directory = try Scratch.makeDirectory("merge")
        defer { Scratch.remove(directory) }
        let fifo = directory.appendingPathComponent("run\u{1B}[31m.json").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let device = directory.appendingPathComponent("null\n.json").path
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/null")
        for path in [device, fifo] {
            let error = #expect(throws: SummaryMerge.MergeError.self) { try SummaryMerge.read(path) }
            let shown = path.replacingOccurrences(of: "\u{1B}", with: "\\x1B")
                .replacingOccurrences(of: "\n", with: "\\n")
            #expect(error?.description == shown + ": not a regular file")
        }
    }
}
