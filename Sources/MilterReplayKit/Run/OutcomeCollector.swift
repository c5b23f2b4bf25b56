import Synchronization
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Prints each outcome as it comes and keeps what the summary and JUnit need.
final class OutcomeCollector: Sendable {
    private let output: OutputSettings
    private let state = Mutex((summary: RunSummary(), outcomes: [MessageOutcome]()))

    init(output: OutputSettings) { self.output = output }

    func add(_ outcome: MessageOutcome) {
        var text = ""
        if output.json {
            text = JSONReport.line(outcome, includeMessage: output.showMessage) + "\n"
        } else if !output.quiet {
            text = TextReport.line(outcome) + "\n"
            if output.showMessage, let message = TextReport.message(outcome) { text += message }
        }
        state.withLock { state in
            state.summary.add(outcome)
            if output.junit != nil { state.outcomes.append(outcome) }
            if !text.isEmpty { FileDescriptorWriter.standardOutput(text) }
        }
    }

    func finish(seconds: Double) throws -> RunSummary {
        let (summary, outcomes) = state.withLock { ($0.summary, $0.outcomes) }
        let text =
            output.json ? JSONReport.summary(summary, seconds: seconds) : TextReport.summary(summary, seconds: seconds)
        FileDescriptorWriter.standardOutput(text + "\n")
        if let path = output.junit {
            let xml = JUnitReport.document(outcomes.sorted { $0.sequence < $1.sequence }, seconds: seconds)
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
        }
        return summary
    }
}
