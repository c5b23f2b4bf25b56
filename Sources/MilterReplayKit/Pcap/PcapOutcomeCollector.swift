import NIOConcurrencyHelpers
import _MilterSystem

/// Prints each session's outcome as it comes and keeps the totals.
final class PcapOutcomeCollector: Sendable {
    private let json: Bool
    private let quiet: Bool
    private let summary = NIOLockedValueBox(PcapRunSummary())
    /// The connection failure reasons already printed: each is printed once, the summary counts them all.
    private let reasonsShown = NIOLockedValueBox(Set<String>())

    init(json: Bool, quiet: Bool) {
        self.json = json
        self.quiet = quiet
    }

    func add(_ outcome: SessionOutcome) {
        var text = json ? PcapReport.json(outcome) + "\n" : (quiet ? "" : PcapReport.text(outcome))
        if !json, case .connectFailed(let reason) = outcome.result,
            !reasonsShown.withLockedValue({ $0.insert(reason).inserted })
        {
            text = ""
        }
        summary.withLockedValue { summary in
            summary.add(outcome)
            if !text.isEmpty { FileDescriptorWriter.standardOutput(text) }
        }
    }

    /// The sessions counted so far.
    var sessions: Int { summary.withLockedValue { $0.sessions } }

    /// Prints the summary; returns the exit code.
    func finish(seconds: Double) -> Int32 {
        let summary = self.summary.withLockedValue { $0 }
        let text =
            json
            ? PcapReport.jsonSummary(summary, seconds: seconds) + "\n"
            : PcapReport.textSummary(summary, seconds: seconds)
        FileDescriptorWriter.standardOutput(text)
        return summary.exitCode
    }
}
