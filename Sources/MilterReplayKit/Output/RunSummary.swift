import Histogram
import MilterClient

/// Totals of a run: verdicts, findings, mismatches, throughput and latency percentiles.
package struct RunSummary: Sendable {
    package private(set) var messages = 0
    /// Messages by verdict, those with none left out.
    package var verdicts: [Disposition: Int] { verdictCounts.dictionary }
    /// ``verdicts``, counted without hashing a verdict for every message.
    private var verdictCounts = VerdictCounts()
    package private(set) var findings: [String: Int] = [:]
    package private(set) var mismatches: [String] = []
    /// Messages that found no milter connection, by why.
    package private(set) var connectFailuresByReason: [String: Int] = [:]
    /// Messages the MTA would not offer to the milter (``EnvelopeInputError``): errors of the input, neither
    /// messages nor connection failures.
    package private(set) var inputErrors = 0
    /// The latency of every message, in microseconds.
    package private(set) var latencies = Histogram<UInt64>(
        highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// With `--rate`: how well the schedule was kept.
    package private(set) var pacing: Pacing?
    /// What was sent from a record, for a run with exchange reuse on; `nil` otherwise (and in a
    /// merged summary).
    package var exchangeReuse: ExchangeReuseCounts?
    /// Why the milter could not be reached, for a run that stopped before any connection opened (nothing was
    /// sent); in a merged summary, the first such run's.
    package var unreachable: String?
    /// How the run ended when SIGINT or SIGTERM stopped it; `nil` otherwise.
    package var interrupted: Interrupted?

    /// Nothing counted yet; `rate` is `--rate`, if given.
    package init(rate: Double? = nil) { pacing = rate.map(Pacing.init(requestedRate:)) }

    /// A summary read back from its parts (``merge(_:)`` adds several).
    package init(
        messages: Int, verdicts: [Disposition: Int], findings: [String: Int], mismatches: [String],
        connectFailuresByReason: [String: Int], inputErrors: Int = 0, latencies: Histogram<UInt64>, pacing: Pacing?
    ) {
        self.messages = messages
        for (verdict, count) in verdicts { verdictCounts[verdict] += count }
        self.findings = findings
        self.mismatches = mismatches
        self.connectFailuresByReason = connectFailuresByReason
        self.inputErrors = inputErrors
        self.latencies = latencies
        self.pacing = pacing
    }

    /// Adds the counts of `other`, a run made at the same time (from another generator machine).
    package mutating func merge(_ other: RunSummary) {
        messages += other.messages
        for (verdict, count) in other.verdicts { verdictCounts[verdict] += count }
        findings.merge(other.findings, uniquingKeysWith: +)
        mismatches += other.mismatches
        connectFailuresByReason.merge(other.connectFailuresByReason, uniquingKeysWith: +)
        inputErrors += other.inputErrors
        unreachable = unreachable ?? other.unreachable
        latencies.add(other.latencies)
        switch (pacing, other.pacing) {
        case (nil, _): pacing = other.pacing
        case (_, nil): break
        case (var mine?, let theirs?):
            mine.merge(theirs)
            pacing = mine
        }
    }

    /// Counts one message; a message that found no milter connection is a connection failure, and one the MTA
    /// would not offer to the milter an input error, not a message.
    package mutating func add(_ outcome: MessageOutcome) {
        if let lag = outcome.startLag { pacing?.started(outcome.sequence, lag: lag) }
        if let error = outcome.connectError {
            connectFailuresByReason[error, default: 0] += 1
            return
        }
        if outcome.inputError != nil {
            inputErrors += 1
            return
        }
        messages += 1
        if let verdict = outcome.verdict { verdictCounts[verdict] += 1 }
        // The result's and the connection's, without joining them into an array for every message.
        if let result = outcome.result {
            for finding in result.findings { findings[finding.code, default: 0] += 1 }
        }
        for finding in outcome.connectionFindings { findings[finding.code, default: 0] += 1 }
        if outcome.isMismatch {
            let got = outcome.verdict?.rawValue ?? "no verdict"
            mismatches.append("\(outcome.entry.path): expected \(outcome.entry.expected!.rawValue), got \(got)")
        }
        for failure in outcome.expectationFailures { mismatches.append("\(outcome.entry.path): \(failure)") }
        // Each value as the highest of its slot: what the V2 encoding keeps, so that a merged
        // summary gives the same percentiles as one run (they are read to slot precision anyway).
        _ = latencies.record(latencies.highestEquivalentForValue(UInt64(max(0, outcome.latency.microseconds))))
    }

    /// With `--rate`: the run asked for `due` messages (``Pacing/scheduled(_:)``).
    package mutating func scheduled(_ due: Int) { pacing?.scheduled(due) }

    /// Messages that found no milter connection.
    package var connectFailures: Int { connectFailuresByReason.values.reduce(0, +) }

    /// The total number of findings.
    var findingCount: Int { findings.values.reduce(0, +) }

    /// A latency percentile in milliseconds.
    func latencyMilliseconds(percentile: Double) -> Double {
        latencies.totalCount == 0 ? 0 : Double(latencies.valueAtPercentile(percentile)) / 1000
    }

    /// The largest latency in milliseconds.
    var maximumLatencyMilliseconds: Double { latencies.totalCount == 0 ? 0 : Double(latencies.max) / 1000 }

    /// Messages, connection failures and input errors counted.
    var reported: Int { messages + connectFailures + inputErrors }

    /// The exit code the run deserves: an input error's is a connection failure's; an interrupted run's is
    /// 128 + the signal.
    package var exitCode: Int32 {
        if let interrupted { return interrupted.exitStatus }
        if unreachable != nil || connectFailures > 0 || inputErrors > 0 { return ExitCodes.connectFailed }
        if !mismatches.isEmpty || findingCount > 0 { return ExitCodes.mismatch }
        return ExitCodes.success
    }
}

extension Duration {
    /// The duration in whole microseconds (rounded toward zero).
    var microseconds: Int64 {
        // A duration within ±9.2 s (every latency but a stall) from its attoseconds as an `Int64`, divided by a
        // constant the compiler turns into a multiplication: `components` is a call into the standard library that
        // divides the 128-bit count twice, about 190 instructions for every message of a run.
        if #available(macOS 15.0, *), let attoseconds = Int64(exactly: attoseconds) {
            return attoseconds / 1_000_000_000_000
        }
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// The duration in milliseconds.
    package var milliseconds: Double { Double(microseconds) / 1000 }
}
