import NIOConcurrencyHelpers
import NIOCore
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Prints each outcome as it comes and keeps what the summary and JUnit need.
final class OutcomeCollector: Sendable {
    private let output: OutputSettings
    private let progress: ProgressLine
    private let state:
        NIOLockedValueBox<(summary: RunSummary, outcomes: [MessageOutcome], connectReasonsShown: Set<String>)>
    /// Messages per second, kept only for `--report`.
    private let timeline = NIOLockedValueBox(RunTimeline())
    private let start = NIODeadline.now()

    /// A collector printing per `output`, through `progress` so that rows never follow the progress text;
    /// `rate` is `--rate`, if given.
    init(output: OutputSettings, progress: ProgressLine, rate: Double? = nil) {
        self.output = output
        self.progress = progress
        state = NIOLockedValueBox((summary: RunSummary(rate: rate), outcomes: [], connectReasonsShown: []))
    }

    func add(_ outcome: MessageOutcome) {
        if output.report != nil {
            let elapsed = Duration.nanoseconds(((outcome.finishedAt ?? .now()) - start).nanoseconds)
            timeline.withLockedValue {
                $0.record(finishedAfter: elapsed, latency: outcome.latency, failed: outcome.isFailure)
            }
        }
        var text = ""
        if output.quiet {
            // The summary only, in JSON too (a load run's line for `merge`).
        } else if output.json {
            text = JSONReport.line(outcome, includeMessage: output.showMessage, showsValues: output.showValues) + "\n"
        } else {
            text = TextReport.line(outcome, showsValues: output.showValues) + "\n"
            if output.showMessage, let message = TextReport.message(outcome) { text += message }
        }
        // The row and the whole transcript go out in one print: connections never interleave.
        if let transcript = outcome.transcript { text += transcript }
        state.withLockedValue { state in
            // A failed connection is printed once per reason (an input error, which names its message, every
            // time); the summary counts them all.
            if !output.json, let error = outcome.connectError, !state.connectReasonsShown.insert(error).inserted {
                text = ""
            }
            state.summary.add(outcome)
            if output.junit != nil { state.outcomes.append(outcome) }
            if !text.isEmpty { progress.print(text) }
        }
    }

    /// Prints the summary and writes the JUnit and HTML reports; returns the summary, and why a report could
    /// not be written, if one could not. `due` is how many messages the run asked for, when known: under
    /// `--rate`, those that never started count against the rate kept.
    func finish(
        seconds: Double, exchangeReuse: ExchangeReuseCounts? = nil, due: Int? = nil, interrupted: Interrupted? = nil
    ) -> (
        summary: RunSummary, writeFailure: String?
    ) {
        var (summary, outcomes) = state.withLockedValue { ($0.summary, $0.outcomes) }
        summary.exchangeReuse = exchangeReuse
        summary.interrupted = interrupted
        if let due { summary.scheduled(due) }
        var text =
            output.json ? JSONReport.summary(summary, seconds: seconds) : TextReport.summary(summary, seconds: seconds)
        // The empty line that parts the summary from the rows, when there are none.
        if output.quiet, text.hasPrefix("\n") { text.removeFirst() }
        FileDescriptorWriter.standardOutput(text + "\n")
        if let path = output.junit {
            let xml = JUnitReport.document(
                outcomes.sorted { $0.sequence < $1.sequence }, seconds: seconds, showsValues: output.showValues,
                interrupted: interrupted)
            if let failure = OutputPath.write(xml, to: path, option: "--junit", ownerOnly: output.showValues) {
                return (summary, failure)
            }
        }
        if let path = output.report {
            let report = LoadReport.document(
                summary: summary, timeline: timeline.withLockedValue { $0 }, seconds: seconds, context: .current())
            if let failure = OutputPath.write(
                report.render(), to: path, option: "--report", ownerOnly: output.showValues)
            {
                return (summary, failure)
            }
        }
        return (summary, nil)
    }

    /// The messages reported so far: messages, connection failures and input errors.
    var reported: Int { state.withLockedValue { $0.summary.reported } }

    /// Prints the JSON summary (with `--json`) of a run that never reached the milter, its `unreachable` the
    /// reason, and writes the JUnit and HTML reports asked for, which say so; returns why one could not be written.
    func finishUnreachable(
        _ reason: String, seconds: Double, headline: String = "the milter could not be reached"
    ) -> String? {
        if output.json {
            var summary = state.withLockedValue { $0.summary }
            summary.unreachable = reason
            FileDescriptorWriter.standardOutput(JSONReport.summary(summary, seconds: seconds) + "\n")
        }
        let report = UnreachableReport(
            headline: headline, reason: reason, suite: "milter-replay", consequence: "no message was sent",
            seconds: seconds)
        return report.write(junit: output.junit, report: output.report, ownerOnly: output.showValues)
    }
}
