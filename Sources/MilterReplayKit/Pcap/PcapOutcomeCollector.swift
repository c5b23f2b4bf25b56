import NIOConcurrencyHelpers
import _MilterSystem

/// Prints each session's outcome as it comes and keeps the totals.
final class PcapOutcomeCollector: Sendable {
    private let json: Bool
    private let quiet: Bool
    private let summary = NIOLockedValueBox(PcapRunSummary())
    /// The connection failure reasons already printed: each is printed once, the summary counts them all.
    private let reasonsShown = NIOLockedValueBox(Set<String>())
    /// Where the HTML report goes, and its rows so far.
    private let report: String?
    private let rows = NIOLockedValueBox([PcapHTMLReport.Row]())

    /// Whether the report shows the envelope addresses in differences unredacted: it is then its owner's only.
    private let showsValues: Bool

    init(json: Bool, quiet: Bool, report: String? = nil, showsValues: Bool = false) {
        self.showsValues = showsValues
        self.json = json
        self.quiet = quiet
        self.report = report
    }

    func add(_ outcome: SessionOutcome) {
        var text = quiet ? "" : json ? PcapReport.json(outcome) + "\n" : PcapReport.text(outcome)
        if !json, case .connectFailed(let reason) = outcome.result,
            !reasonsShown.withLockedValue({ $0.insert(reason).inserted })
        {
            text = ""
        }
        if report != nil {
            rows.withLockedValue { if $0.count < PcapHTMLReport.maximumRows { $0.append(PcapHTMLReport.row(outcome)) } }
        }
        summary.withLockedValue { summary in
            summary.add(outcome)
            if !text.isEmpty { FileDescriptorWriter.standardOutput(text) }
        }
    }

    /// Notes the capture's streams that look like milter traffic but were not taken, for the summary.
    func noteUntaken(_ count: Int) {
        summary.withLockedValue { $0.untakenStreams = UntakenStreams(count: count) }
    }

    /// Warns on standard error that the capture was cut short, and keeps where for the summary; the sessions the
    /// cut left open were ended as at the end of any capture.
    func noteCut(_ cut: CaptureCut?) {
        guard let cut else { return }
        FileDescriptorWriter.standardError(cut.warning)
        summary.withLockedValue { $0.truncation = cut.description }
    }

    /// Warns on standard error that streams were ignored for holding too much before they could be recognised.
    func noteDropped(_ dropped: DroppedStreams?) {
        guard let dropped else { return }
        FileDescriptorWriter.standardError(dropped.warning)
    }

    /// The streams noted by ``noteUntaken(_:)``.
    var untakenStreams: UntakenStreams? { summary.withLockedValue { $0.untakenStreams } }

    /// The sessions tried so far: replayed, or whose connect failed.
    var tried: Int { summary.withLockedValue { $0.replayed + $0.connectFailures } }

    /// The sessions counted so far.
    var sessions: Int { summary.withLockedValue { $0.sessions } }

    /// Prints the summary and writes the HTML report; returns the exit code (2, said on standard
    /// error, when the report cannot be written). `sessionReuse`: the sessions sent from a recording.
    func finish(
        seconds: Double, sessionReuse: SessionReuseCounts? = nil, interrupted: Interrupted? = nil
    ) -> Int32 {
        var summary = self.summary.withLockedValue { $0 }
        summary.sessionReuse = sessionReuse
        summary.interrupted = interrupted
        var text =
            json
            ? PcapReport.jsonSummary(summary, seconds: seconds) + "\n"
            : PcapReport.textSummary(summary, seconds: seconds)
        // The empty line that parts the summary from the rows, when there are none.
        if quiet, text.hasPrefix("\n") { text.removeFirst() }
        FileDescriptorWriter.standardOutput(text)
        if let report {
            let document = PcapHTMLReport.document(
                summary: summary, rows: rows.withLockedValue { $0 }, seconds: seconds, context: .current())
            if let failure = OutputPath.write(
                document.render(), to: report, option: "--report", ownerOnly: showsValues)
            {
                FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
                return ExitCodes.usage
            }
        }
        return summary.exitCode
    }

    /// Prints the JSON summary (with `--json`) of a replay that never reached the milter, its `unreachable` the
    /// reason, and writes the HTML report asked for, which says so; returns why it could not be written.
    func finishUnreachable(
        _ reason: String, seconds: Double, headline: String = "the milter could not be reached"
    ) -> String? {
        if json {
            var summary = self.summary.withLockedValue { $0 }
            summary.unreachable = reason
            FileDescriptorWriter.standardOutput(PcapReport.jsonSummary(summary, seconds: seconds) + "\n")
        }
        let unreachable = UnreachableReport(
            headline: headline, reason: reason, suite: "milter-replay --pcap", consequence: "no session was replayed",
            seconds: seconds)
        return unreachable.write(junit: nil, report: report, ownerOnly: showsValues)
    }
}
