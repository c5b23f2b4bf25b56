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
            let (summary, seconds) = try merge(paths.map { path throws(MergeError) in try read(path) })
            let text =
                json ? JSONReport.summary(summary, seconds: seconds) : TextReport.summary(summary, seconds: seconds)
            FileDescriptorWriter.standardOutput(text + "\n")
            return summary.exitCode
        } catch {
            FileDescriptorWriter.standardError("milter-replay merge: \(error.description)\n")
            return ExitCodes.usage
        }
    }

    /// The runs added up, and the longest run's seconds.
    package static func merge(_ runs: [(RunSummary, Double)]) throws(MergeError) -> (RunSummary, Double) {
        guard let first = runs.first else { throw MergeError(description: "no summary to merge") }
        var (combined, seconds) = first
        for (summary, runSeconds) in runs.dropFirst() {
            combined.merge(summary)
            seconds = max(seconds, runSeconds)
        }
        return (combined, seconds)
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
            throw MergeError(description: "\(path): \(error.description)")
        }
    }

    /// The summary of one `--json` summary line, and its seconds.
    package static func decode(_ line: String) throws(MergeError) -> (RunSummary, Double) {
        let record: JSONReport.Summary
        do {
            record = try JSONDecoder().decode(JSONReport.Summary.self, from: Data(line.utf8))
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
        var verdicts: [Disposition: Int] = [:]
        for (name, count) in record.verdicts {
            guard let verdict = Disposition(rawValue: name) else {
                throw MergeError(description: "unknown verdict \(name)")
            }
            verdicts[verdict] = count
        }
        var reasons = record.connectFailuresByReason ?? [:]
        let unexplained = record.connectFailures - reasons.values.reduce(0, +)
        if unexplained > 0 { reasons["(no reason recorded)", default: 0] += unexplained }
        let pacing = try record.rate.map { rate throws(MergeError) in
            guard rate.requested > 0, rate.achieved >= 0, rate.maxStartLagMs >= 0 else {
                throw MergeError(description: "a rate out of range")
            }
            return Pacing(
                requestedRate: rate.requested, achievedRate: rate.achieved, started: rate.started,
                lateStarts: rate.lateStarts, maximumLag: .microseconds(Int64(rate.maxStartLagMs * 1000)))
        }
        let summary = RunSummary(
            messages: record.messages, verdicts: verdicts, findings: record.findings, mismatches: record.mismatches,
            connectFailuresByReason: reasons, latencies: histogram, pacing: pacing)
        return (summary, record.seconds)
    }

    /// Calls `body` with each line of `path` (without its LF); no line may pass ``maximumLineLength``.
    private static func forEachLine(of path: String, _ body: ([UInt8]) -> Void) throws(MergeError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MergeError(description: SystemCall.errorText(errno)) }
        defer { SystemCall.close(descriptor) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, into: $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw MergeError(description: SystemCall.errorText(errno))
            }
            if count == 0 { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                pending += chunk[start..<index]
                body(pending)
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            guard pending.count + count - start <= maximumLineLength else {
                throw MergeError(description: "a line longer than \(maximumLineLength) bytes")
            }
            pending += chunk[start..<count]
        }
        if !pending.isEmpty { body(pending) }
    }
}
