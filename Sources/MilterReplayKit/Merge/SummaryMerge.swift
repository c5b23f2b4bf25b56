import Histogram
import MilterClient
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `milter-replay merge A.json B.json…`: the combined summary of runs made side by side, from
/// the summary line of each run's `--json` output.
///
/// Counts add up; latency percentiles come from the sum of the runs' HDR histograms (carried in
/// `latencyHistogram`), so they are those of one run over all the messages; the runs are taken to
/// have run at the same time, so the duration is the longest one's and the rates add up.
package enum SummaryMerge {
    /// The longest summary line read, checked before buffering more.
    static let maximumLineLength = 64 << 20

    /// Why a file could not be merged.
    package struct MergeError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Prints the combined summary of `paths` (as JSON with `json`); returns the exit code the
    /// combined run deserves, or 2 when a file cannot be read.
    package static func run(paths: [String], json: Bool) -> Int32 {
        do throws(MergeError) {
            let (summary, seconds) = try merge(paths.map { path throws(MergeError) in try read(path) }, names: paths)
            let text =
                json ? JSONReport.summary(summary, seconds: seconds) : TextReport.summary(summary, seconds: seconds)
            FileDescriptorWriter.standardOutput(text + "\n")
            return summary.exitCode
        } catch {
            FileDescriptorWriter.standardError("milter-replay merge: \(error.description)\n")
            return ExitCodes.usage
        }
    }

    /// The largest count a summary may carry, and the largest the counts of the runs may add up to:
    /// 2^48, far past any run, and far enough below `Int.max` that no sum of two can overflow.
    static let maximumCount = 1 << 48

    /// The runs added up, and the longest run's seconds. Counts that would add up past
    /// ``maximumCount`` are an error, not an overflow; so are latency histograms of different
    /// layouts (which every milter-replay run writes alike), named from `names` (the files, in the
    /// order of `runs`) when given.
    package static func merge(
        _ runs: [(RunSummary, Double)], names: [String] = []
    ) throws(MergeError) -> (RunSummary, Double) {
        guard let first = runs.first else { throw MergeError(description: "no summary to merge") }
        var (combined, seconds) = first
        for (index, (summary, runSeconds)) in runs.enumerated().dropFirst() {
            try checkLayouts(combined, summary, names.count == runs.count ? names[index] : "summary \(index + 1)")
            try checkSums(combined, summary)
            combined.merge(summary)
            seconds = max(seconds, runSeconds)
        }
        return (combined, seconds)
    }

    /// Throws unless the latency histograms of `a` and `b` have the same layout (lowest and highest
    /// value, significant digits): hdrhistogram-swift adds histograms slot by slot, and traps on
    /// different layouts.
    private static func checkLayouts(_ a: RunSummary, _ b: RunSummary, _ name: String) throws(MergeError) {
        func layout(_ histogram: Histogram<UInt64>) -> String {
            "lowest \(histogram.lowestDiscernibleValue), highest \(histogram.highestTrackableValue), "
                + "\(histogram.numberOfSignificantValueDigits.rawValue) significant digits"
        }
        let (mine, theirs) = (layout(a.latencies), layout(b.latencies))
        guard mine == theirs else {
            throw MergeError(
                description: "\(shown(name)): latencyHistogram has another layout (\(theirs)) "
                    + "than the summaries before it (\(mine)); merge adds up runs of the same milter-replay")
        }
    }

    /// Throws unless every count of `a` and `b` added up stays within ``maximumCount`` (each is
    /// within it already, so no addition here overflows).
    private static func checkSums(_ a: RunSummary, _ b: RunSummary) throws(MergeError) {
        var pairs = [
            (a.messages, b.messages), (a.connectFailures, b.connectFailures), (a.inputErrors, b.inputErrors),
            (Int(clamping: a.latencies.totalCount), Int(clamping: b.latencies.totalCount)),
            (a.pacing?.started ?? 0, b.pacing?.started ?? 0), (a.pacing?.lateStarts ?? 0, b.pacing?.lateStarts ?? 0),
            (a.pacing?.notStarted ?? 0, b.pacing?.notStarted ?? 0),
        ]
        for (verdict, count) in b.verdicts { pairs.append((a.verdicts[verdict] ?? 0, count)) }
        for (code, count) in b.findings { pairs.append((a.findings[code] ?? 0, count)) }
        for (reason, count) in b.connectFailuresByReason {
            pairs.append((a.connectFailuresByReason[reason] ?? 0, count))
        }
        for (x, y) in pairs where x > maximumCount - y {
            throw MergeError(description: "the counts add up to more than \(maximumCount)")
        }
    }

    /// `value`, if it is a count from 0 to ``maximumCount``.
    private static func count(_ value: Int, _ what: String) throws(MergeError) -> Int {
        guard (0...maximumCount).contains(value) else {
            throw MergeError(description: "\(what) out of range (0 to \(maximumCount)): \(value)")
        }
        return value
    }

    /// The sum of `values`, each a count, the sum one as well.
    private static func total(_ values: some Sequence<Int>, _ what: String) throws(MergeError) -> Int {
        var sum = 0
        for value in values {
            sum += try count(value, what)
            guard sum <= maximumCount else {
                throw MergeError(description: "\(what) add up to more than \(maximumCount)")
            }
        }
        return sum
    }

    /// The last summary line of the `--json` output in `path`.
    package static func read(_ path: String) throws(MergeError) -> (RunSummary, Double) {
        var last: [UInt8]?
        do throws(MergeError) {
            try forEachLine(of: path) { line in
                if line.firstRange(of: Array(#""type":"summary""#.utf8)) != nil { last = line }
            }
            guard let last else {
                throw MergeError(description: "no summary line (is it milter-replay --json output?)")
            }
            return try decode(String(decoding: last, as: UTF8.self))
        } catch {
            throw MergeError(description: "\(shown(path)): \(error.description)")
        }
    }

    /// A file's name as an error shows it: on one line, control characters escaped (a name may hold any byte).
    private static func shown(_ path: String) -> String {
        TerminalText.escapingControls(path, keepingLineFeeds: false)
    }

    /// What a decoding error says, in words: a capture replay's summary (`--pcap --json`) has no `messages`.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath.map(\.stringValue) + (key.map { [$0.stringValue] } ?? [])
            return keys.isEmpty ? "the line" : "\"" + keys.joined(separator: ".") + "\""
        }
        let words: String
        switch error {
        case .keyNotFound(let key, let context): words = "\(path(context, key)) is missing"
        case .valueNotFound(_, let context): words = "\(path(context)) is null"
        case .typeMismatch(_, let context): words = "\(path(context)) has the wrong type"
        case .dataCorrupted(let context): words = "\(path(context)) is not valid JSON"
        @unknown default: words = "it does not decode"
        }
        return words + " (merge takes the summaries of `milter-replay --json` runs over .eml files, not of --pcap, "
            + "scenario or conformance runs)"
    }

    /// The summary of one `--json` summary line, and its seconds.
    package static func decode(_ line: String) throws(MergeError) -> (RunSummary, Double) {
        let record: JSONReport.Summary
        do {
            record = try JSONDecoder().decode(JSONReport.Summary.self, from: Data(line.utf8))
        } catch let error as DecodingError {
            throw MergeError(description: "not the summary of an .eml replay: \(describe(error))")
        } catch {
            throw MergeError(description: "not a summary line: \(error)")
        }
        guard let encoded = record.latencyHistogram else {
            throw MergeError(description: "the summary has no latencyHistogram (written by an older milter-replay)")
        }
        let histogram: Histogram<UInt64>
        do { histogram = try HistogramCoding.decode(encoded) } catch {
            throw MergeError(description: "latencyHistogram: \(error.description)")
        }
        guard histogram.totalCount <= UInt64(maximumCount) else {
            throw MergeError(description: "latencyHistogram: more than \(maximumCount) values")
        }
        let messages = try count(record.messages, "messages")
        var verdicts: [Disposition: Int] = [:]
        for (name, count) in record.verdicts {
            guard let verdict = Disposition(rawValue: name) else {
                throw MergeError(description: "unknown verdict \(TerminalText.escapingControls(name))")
            }
            verdicts[verdict] = try Self.count(count, "a verdict count")
        }
        _ = try total(verdicts.values, "the verdict counts")
        _ = try total(record.findings.values, "the finding counts")
        var reasons = record.connectFailuresByReason ?? [:]
        let unexplained =
            try count(record.connectFailures, "connectFailures")
            - total(reasons.values, "the connection failures by reason")
        if unexplained > 0 { reasons["(no reason recorded)", default: 0] += unexplained }
        // Absent in the summaries of older runs, which counted input errors with the connection failures.
        let inputErrors = try count(record.inputErrors ?? 0, "inputErrors")
        guard record.seconds.isFinite, record.seconds >= 0 else {
            throw MergeError(description: "seconds out of range: \(record.seconds)")
        }
        let pacing = try record.rate.map { rate throws(MergeError) in
            // A lag of up to about 30 years; more would not fit the microseconds of a Duration.
            guard rate.requested > 0, rate.requested.isFinite, rate.achieved >= 0, rate.achieved.isFinite,
                rate.maxStartLagMs >= 0, rate.maxStartLagMs <= 1e12
            else {
                throw MergeError(description: "a rate out of range")
            }
            _ = try count(rate.started, "rate.started")
            _ = try count(rate.lateStarts, "rate.lateStarts")
            _ = try count(rate.notStarted ?? 0, "rate.notStarted")
            return Pacing(
                requestedRate: rate.requested, achievedRate: rate.achieved, started: rate.started,
                lateStarts: rate.lateStarts, maximumLag: .microseconds(Int64(rate.maxStartLagMs * 1000)),
                notStarted: rate.notStarted ?? 0)
        }
        var summary = RunSummary(
            messages: messages, verdicts: verdicts, findings: record.findings, mismatches: record.mismatches,
            connectFailuresByReason: reasons, inputErrors: inputErrors, latencies: histogram, pacing: pacing)
        summary.unreachable = record.unreachable
        return (summary, record.seconds)
    }

    /// Calls `body` with each line of `path` (without its LF); no line may pass ``maximumLineLength``, checked
    /// before it is buffered. Only a regular file is read (a FIFO would block the merge for ever).
    private static func forEachLine(of path: String, _ body: ([UInt8]) -> Void) throws(MergeError) {
        let descriptor: Int32
        do { descriptor = try FileContents.openForReading(path, regularOnly: true).descriptor } catch {
            throw MergeError(description: error.description)
        }
        defer { SystemCall.close(descriptor) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        func append(_ bytes: ArraySlice<UInt8>) throws(MergeError) {
            guard pending.count + bytes.count <= maximumLineLength else {
                throw MergeError(description: "a line longer than \(maximumLineLength) bytes")
            }
            pending += bytes
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, into: $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw MergeError(description: SystemCall.errorText(errno))
            }
            if count == 0 { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                try append(chunk[start..<index])
                body(pending)
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            try append(chunk[start..<count])
        }
        if !pending.isEmpty { body(pending) }
    }
}
