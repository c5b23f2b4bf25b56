import Synchronization
import _MilterSystem

/// Prints each session's outcome as it comes and keeps the totals.
final class PcapOutcomeCollector: Sendable {
    private let json: Bool
    private let quiet: Bool
    private let summary = Mutex(PcapRunSummary())

    init(json: Bool, quiet: Bool) {
        self.json = json
        self.quiet = quiet
    }

    func add(_ outcome: SessionOutcome) {
        let text = json ? PcapReport.json(outcome) + "\n" : (quiet ? "" : PcapReport.text(outcome))
        summary.withLock { summary in
            summary.add(outcome)
            if !text.isEmpty { FileDescriptorWriter.standardOutput(text) }
        }
    }

    /// The sessions counted so far.
    var sessions: Int { summary.withLock { $0.sessions } }

    /// Prints the summary; returns the exit code.
    func finish(seconds: Double) -> Int32 {
        let summary = self.summary.withLock { $0 }
        let text =
            json
            ? PcapReport.jsonSummary(summary, seconds: seconds) + "\n"
            : PcapReport.textSummary(summary, seconds: seconds)
        FileDescriptorWriter.standardOutput(text)
        return summary.exitCode
    }
}
