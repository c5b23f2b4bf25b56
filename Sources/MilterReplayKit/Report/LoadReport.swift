import MilterClient
import _MilterSystem

/// The report of an `.eml` replay or load run: the command line and machine, the latency percentile
/// curve, throughput and latency per second, verdicts, findings, connection failures and input errors.
package enum LoadReport {
    /// The percentiles drawn on the curve, on a log axis of 1 / (1 − p) as HdrHistogram plots do.
    static let percentiles = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999]

    package static func document(
        summary: RunSummary, timeline: RunTimeline, seconds: Double, context: ReportContext
    ) -> HTMLReport {
        let interrupted = summary.interrupted == nil ? "" : " (interrupted)"
        var report = HTMLReport(title: "milter-replay: \(summary.messages) messages\(interrupted)")
        let rate = seconds > 0 ? Double(summary.messages) / seconds : 0
        var facts = context.facts
        if let interrupted = summary.interrupted { facts.append(("interrupted", TextReport.messagesLine(interrupted))) }
        facts += [
            ("messages", "\(summary.messages)"),
            ("connection failures", "\(summary.connectFailures)"),
            ("input errors", "\(summary.inputErrors)"),
            ("duration", "\(ChartScale.label(seconds)) s"),
            ("throughput", "\(ChartScale.label(rate)) messages/s"),
            ("latency p50 / p99 / max", latencyLine(summary)),
        ]
        if let pacing = summary.pacing {
            facts.append(
                (
                    "rate",
                    "requested \(ChartScale.label(pacing.requestedRate))/s, started \(ChartScale.label(pacing.achievedRate))/s"
                ))
        }
        if let reuse = summary.exchangeReuse { facts.append(("sent from a record", TextReport.reusedCounts(reuse))) }
        report.sections.append(.facts(title: "Run", facts))
        if summary.messages > 0 {
            report.sections.append(.lineChart(percentileCurve(summary)))
        }
        if !timeline.seconds.isEmpty {
            report.sections.append(.lineChart(throughputChart(timeline)))
            report.sections.append(.lineChart(latencyChart(timeline)))
        }
        let verdicts = summary.verdicts.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.rawValue, $0.value) }
        report.sections.append(.bars(title: "Verdicts", verdicts.isEmpty ? [("none", 0)] : verdicts))
        if !summary.findings.isEmpty {
            report.sections.append(
                .table(
                    title: "Findings", headers: ["finding", "count"],
                    rows: summary.findings.sorted { $0.key < $1.key }.map { ([$0.key, "\($0.value)"], "fail") }))
        }
        if !summary.connectFailuresByReason.isEmpty {
            report.sections.append(
                .table(
                    title: "Connection failures", headers: ["why", "count"],
                    rows: summary.connectFailuresByReason.sorted { $0.key < $1.key }.map {
                        ([$0.key, "\($0.value)"], "fail")
                    }))
        }
        if !summary.mismatches.isEmpty {
            report.sections.append(
                .table(
                    title: "Mismatches (first 200)", headers: ["message"],
                    rows: summary.mismatches.prefix(200).map { ([$0], "fail") }))
        }
        return report
    }

    private static func latencyLine(_ summary: RunSummary) -> String {
        let values =
            [50.0, 99.0].map { summary.latencyMilliseconds(percentile: $0) } + [
                summary.maximumLatencyMilliseconds
            ]
        return values.map { ChartScale.label($0) + " ms" }.joined(separator: " / ")
    }

    /// Where a percentile lies on the curve's axis: log10(1 / (1 − p)), so 90% is 1, 99% is 2, 99.9% is 3.
    static func logPosition(_ percentile: Double) -> Double {
        log10(1 / max(1e-5, 1 - percentile / 100))
    }

    static func percentileCurve(_ summary: RunSummary) -> LineChart {
        let points = percentiles.map { (x: logPosition($0), y: summary.latencyMilliseconds(percentile: $0)) }
        return LineChart(
            title: "Latency by percentile", xLabel: "percentile", yLabel: "latency (ms)",
            series: [.init(name: "latency", points: points)],
            xTicks: [(0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")])
    }

    static func throughputChart(_ timeline: RunTimeline) -> LineChart {
        let messages = timeline.seconds.enumerated().map { (x: Double($0.offset), y: Double($0.element.messages)) }
        let failures = timeline.seconds.enumerated().map { (x: Double($0.offset), y: Double($0.element.failures)) }
        return LineChart(
            title: "Throughput per second", xLabel: "second of the run", yLabel: "messages",
            series: [.init(name: "failed messages", points: failures), .init(name: "messages", points: messages)])
    }

    static func latencyChart(_ timeline: RunTimeline) -> LineChart {
        let maximum = timeline.seconds.enumerated().map {
            (x: Double($0.offset), y: $0.element.latencyMaximumMilliseconds)
        }
        let mean = timeline.seconds.enumerated().map { (x: Double($0.offset), y: $0.element.meanLatencyMilliseconds) }
        return LineChart(
            title: "Latency per second", xLabel: "second of the run", yLabel: "latency (ms)",
            series: [.init(name: "maximum", points: maximum), .init(name: "mean", points: mean)])
    }
}
