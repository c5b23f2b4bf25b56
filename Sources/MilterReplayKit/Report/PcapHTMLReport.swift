/// The report of a `--pcap` replay: sessions same and different, the first difference of each
/// session that differs, and latency per session.
enum PcapHTMLReport {
    /// The most sessions listed in the table; the counts cover them all.
    static let maximumRows = 2_000

    /// One session's row: its label, its status and what differed first.
    struct Row: Sendable {
        let label: String
        let status: String
        let detail: String
    }

    static func row(_ outcome: SessionOutcome) -> Row {
        switch outcome.result {
        case .compared(let comparison):
            let first = comparison.differences.first.map {
                "\($0.command): recorded \($0.recorded), now \($0.now)"
            }
            return Row(
                label: outcome.label, status: outcome.status, detail: first ?? comparison.notComparedReason ?? "")
        case .notReplayable(let reason), .connectFailed(let reason):
            return Row(label: outcome.label, status: outcome.status, detail: reason)
        }
    }

    static func document(
        summary: PcapRunSummary, rows: [Row], seconds: Double, context: ReportContext
    ) -> HTMLReport {
        let interrupted = summary.interrupted == nil ? "" : " (interrupted)"
        var report = HTMLReport(title: "milter-replay --pcap: \(summary.sessions) sessions\(interrupted)")
        let latency = [50.0, 99.0].map { ChartScale.label(summary.latencyMilliseconds(percentile: $0)) + " ms" }
        report.sections.append(
            .facts(
                title: "Run",
                context.facts + (summary.interrupted.map { [("interrupted", PcapRunSummary.line($0))] } ?? []) + [
                    ("sessions", "\(summary.sessions)"), ("steps compared", "\(summary.stepsCompared)"),
                    ("duration", "\(ChartScale.label(seconds)) s"),
                    (
                        "latency per session p50 / p99 / max",
                        (latency + [ChartScale.label(summary.maximumLatencyMilliseconds) + " ms"]).joined(
                            separator: " / ")
                    ),
                ] + (summary.sessionReuse.map { [("sent from a record", PcapReport.reusedCounts($0))] } ?? [])
                    + (summary.truncation.map { [("capture cut short", $0 + "; the packets before it were used")] }
                        ?? [])))
        report.sections.append(
            .bars(
                title: "Sessions",
                [
                    ("same", summary.same), ("different", summary.different), ("not compared", summary.notCompared),
                    ("not replayable", summary.notReplayable), ("connection failures", summary.connectFailures),
                ]))
        // Differences first, then the rest, in the order they came.
        let ordered = rows.filter { $0.status != "same" } + rows.filter { $0.status == "same" }
        report.sections.append(
            .table(
                title: rows.count < summary.sessions ? "Sessions (first \(rows.count))" : "Sessions",
                headers: ["session", "result", "first difference or reason"],
                rows: ordered.map { ([$0.label, $0.status, $0.detail], $0.status == "same" ? "pass" : "fail") }))
        return report
    }
}
