/// The report of `milter-replay conformance`: what the milter asked for, the counts, and the case
/// table grouped by area, each row coloured by its result.
enum ConformanceHTMLReport {
    static func document(
        _ results: [ConformanceResult], asked: String, context: ReportContext, interrupted: Interrupted? = nil
    ) -> HTMLReport {
        let count = { (name: String) in results.filter { $0.status.name == name }.count }
        let mustFailures = results.filter(\.failsRun).count
        var report = HTMLReport(
            title: "milter-replay conformance: \(ConformanceTable.Counts(results).summary)")
        report.sections.append(
            .facts(
                title: "Run",
                context.facts + (interrupted.map { [("interrupted", ConformanceTable.line($0))] } ?? []) + [
                    ("the milter asked for", asked), ("cases", "\(results.count)"),
                    ("must cases failed", "\(mustFailures)"),
                ]))
        report.sections.append(
            .bars(
                title: "Results",
                [
                    ("pass", count("pass")), ("fail", count("fail")), ("skip", count("skip")),
                    ("not exercised", count("not-exercised")),
                ]))
        var areas: [String] = []
        for result in results where !areas.contains(result.area) { areas.append(result.area) }
        for area in areas {
            let rows = results.filter { $0.area == area }.map { result in
                (
                    cells: [
                        result.id, result.severity.rawValue, result.summary, result.source, resultCell(result.status),
                    ],
                    status: result.status.isSkip ? "skip" : result.status.name
                )
            }
            report.sections.append(
                .table(title: "Area: \(area)", headers: ["case", "severity", "what", "source", "result"], rows: rows))
        }
        return report
    }

    /// `fail: REASON`, `skip: REASON`, `pass`; a case not exercised shows its reason alone, which starts with
    /// `not exercised:` already.
    static func resultCell(_ status: ConformanceResult.Status) -> String {
        switch status {
        case .notExercised(let reason): reason.hasPrefix("not exercised") ? reason : "not exercised: \(reason)"
        default: status.reason.map { "\(status.name): \($0)" } ?? status.name
        }
    }
}
