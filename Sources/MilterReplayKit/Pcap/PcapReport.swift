#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The output of a capture replay, as text or as JSON lines (docs/milter-replay-json.md).
enum PcapReport {
    /// The most notes printed per session in text; JSON has them all.
    static let notesShown = 5

    /// A session's result, and its differences and notes indented under it.
    static func text(_ outcome: SessionOutcome) -> String {
        let latency = String(format3: outcome.latency.milliseconds) + " ms"
        switch outcome.result {
        case .notReplayable(let reason): return "not replayable  \(outcome.label): \(reason)\n"
        case .connectFailed(let error): return "error  \(outcome.label): \(error)\n"
        case .compared(let comparison):
            let counts = "\(comparison.compared) \(comparison.compared == 1 ? "step" : "steps") compared, \(latency)"
            if let reason = comparison.notComparedReason { return "not compared  \(outcome.label): \(reason)\n" }
            var text =
                comparison.isSame
                ? "same  \(outcome.label)  (\(counts))\n"
                : "DIFFERENT  \(outcome.label)  (\(comparison.differences.count) "
                    + "\(comparison.differences.count == 1 ? "difference" : "differences"); \(counts))\n"
            for difference in comparison.differences { text += describe(difference) }
            for note in comparison.allNotes.prefix(notesShown) { text += "  note: \(note)\n" }
            if comparison.allNotes.count > notesShown {
                text += "  note: \(comparison.allNotes.count - notesShown) more notes (see --json)\n"
            }
            return text
        }
    }

    private static func describe(_ difference: StepDifference) -> String {
        let steps =
            difference.steps.count == 1
            ? "step \(difference.steps.lowerBound)"
            : "steps \(difference.steps.lowerBound)-\(difference.steps.upperBound)"
        let packet = difference.packet.map { " (packet #\($0))" } ?? ""
        return "  \(steps) \(difference.command)\(packet)\n    recorded: \(difference.recorded)\n"
            + "    now:      \(difference.now)\n"
    }

    /// The summary block.
    static func textSummary(_ summary: PcapRunSummary, seconds: Double) -> String {
        let rate = seconds > 0 ? Double(summary.replayed) / seconds : 0
        let percentiles = [50.0, 90, 99].map {
            "p\(Int($0)) \(String(format3: summary.latencyMilliseconds(percentile: $0)))"
        }
        return [
            "",
            "sessions: \(summary.sessions)  (same \(summary.same), different \(summary.different), "
                + "not compared \(summary.notCompared), not replayable \(summary.notReplayable), "
                + "connection failures \(summary.connectFailures))",
            "steps compared: \(summary.stepsCompared)  notes: \(summary.notes)",
            "throughput: \(String(format3: rate)) sessions/s over \(String(format3: seconds)) s",
            "latency ms per session: \(percentiles.joined(separator: "  "))  "
                + "max \(String(format3: summary.maximumLatencyMilliseconds))",
        ].joined(separator: "\n") + "\n" + (summary.untakenStreams.map { "streams not taken: \($0)\n" } ?? "")
            + (summary.sessionReuse.map { reused($0) + "\n" } ?? "")
            + (summary.interrupted.map { PcapRunSummary.line($0) + "\n" } ?? "")
    }

    /// `sent from a record: 300 sessions (0 answered otherwise, judged by the state machine)`.
    static func reused(_ reuse: SessionReuseCounts) -> String { "sent from a record: " + reusedCounts(reuse) }

    /// ``reused(_:)`` without its label, for the HTML report's facts.
    static func reusedCounts(_ reuse: SessionReuseCounts) -> String {
        "\(reuse.sessionsReused) sessions (\(reuse.sessionsDiverged) answered otherwise, judged by the state machine)"
    }

    struct Session: Encodable {
        let type = "session"
        let sequence: Int?
        let session: String
        let result: String
        let reason: String?
        let stepsCompared: Int
        let differences: [Difference]
        let notes: [String]
        let latencyMs: Double
    }

    struct Difference: Encodable {
        let step: Int
        let lastStep: Int
        let command: String
        let packet: Int?
        let recorded: String
        let now: String
    }

    struct Summary: Encodable {
        let type = "summary"
        let sessions: Int
        let same: Int
        let different: Int
        let notCompared: Int
        let notReplayable: Int
        let connectFailures: Int
        let stepsCompared: Int
        let seconds: Double
        let sessionsPerSecond: Double
        let latencyMs: [String: Double]
        let exitCode: Int32
        let untakenStreams: Int
        let untakenReason: String?
        let sessionReuse: SessionReuseCounts?
        let truncation: String?
        /// Why the milter could not be reached, when no session reached it; absent otherwise.
        let unreachable: String?
        /// How a replay that SIGINT or SIGTERM stopped ended; absent otherwise.
        var interrupted: Interrupted.Record?
    }

    /// A session as one JSON object.
    static func json(_ outcome: SessionOutcome) -> String {
        var comparison = SessionComparison()
        var reason: String?
        switch outcome.result {
        case .compared(let compared):
            comparison = compared
            reason = compared.notComparedReason
        case .notReplayable(let text), .connectFailed(let text): reason = text
        }
        let differences = comparison.differences.map {
            Difference(
                step: $0.steps.lowerBound, lastStep: $0.steps.upperBound, command: $0.command, packet: $0.packet,
                recorded: $0.recorded, now: $0.now)
        }
        return JSONReport.encode(
            Session(
                sequence: outcome.sequence, session: outcome.label, result: outcome.status, reason: reason,
                stepsCompared: comparison.compared, differences: differences, notes: comparison.allNotes,
                latencyMs: outcome.latency.milliseconds))
    }

    /// The summary as one JSON object.
    static func jsonSummary(_ summary: PcapRunSummary, seconds: Double) -> String {
        JSONReport.encode(
            Summary(
                sessions: summary.sessions, same: summary.same, different: summary.different,
                notCompared: summary.notCompared, notReplayable: summary.notReplayable,
                connectFailures: summary.connectFailures,
                stepsCompared: summary.stepsCompared, seconds: seconds,
                sessionsPerSecond: seconds > 0 ? Double(summary.replayed) / seconds : 0,
                latencyMs: [
                    "p50": summary.latencyMilliseconds(percentile: 50),
                    "p90": summary.latencyMilliseconds(percentile: 90),
                    "p99": summary.latencyMilliseconds(percentile: 99), "max": summary.maximumLatencyMilliseconds,
                ], exitCode: summary.exitCode, untakenStreams: summary.untakenStreams?.count ?? 0,
                untakenReason: summary.untakenStreams?.reason, sessionReuse: summary.sessionReuse,
                truncation: summary.truncation, unreachable: summary.unreachable,
                interrupted: summary.interrupted?.record))
    }
}
