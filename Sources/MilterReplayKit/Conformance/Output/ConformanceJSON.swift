import MilterClient

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `--json` report: one JSON document with what the milter asked for, every case and the counts; with
/// `--list`, the catalogue.
package enum ConformanceJSON {
    struct Document: Encodable {
        let asked: String
        let cases: [Case]
        let summary: Summary
        /// Why no case could be judged (the probe could not reach the milter, or had no answer to OPTNEG that a
        /// milter would give); absent when the cases ran.
        var unreachable: String?
        /// How a run that SIGINT or SIGTERM stopped ended; absent otherwise.
        var interrupted: Interrupted.Record?
    }

    struct Case: Encodable {
        let id: String
        let area: String
        let severity: String
        let status: String
        let reason: String?
        let description: String
        let source: String
        let seconds: Double
        /// ``ConformanceResult/sentWithoutReply``'s runs, oldest first, as replay's findings have them.
        let sentWithoutReply: [JSONReport.CommandCount]
        /// Commands sent after those, not listed.
        let sentWithoutReplyMore: Int
    }

    struct Summary: Encodable {
        let cases: Int
        let pass: Int
        let fail: Int
        let mustFail: Int
        let skip: Int
        let notExercised: Int
    }

    /// The document of `results`; `interrupted` when a signal stopped the run.
    package static func document(
        _ results: [ConformanceResult], asked: String, interrupted: Interrupted? = nil
    ) -> String {
        let counts = ConformanceTable.Counts(results)
        var document = Document(
            asked: asked,
            cases: results.map {
                Case(
                    id: $0.id, area: $0.area, severity: $0.severity.rawValue, status: $0.status.name,
                    reason: $0.status.reason, description: $0.summary, source: $0.source,
                    seconds: ($0.seconds * 1000).rounded() / 1000,
                    sentWithoutReply: JSONReport.CommandCount.runs(of: $0.sentWithoutReply),
                    sentWithoutReplyMore: $0.sentWithoutReply.unlisted)
            },
            summary: Summary(
                cases: results.count, pass: counts.pass, fail: counts.fail, mustFail: results.filter(\.failsRun).count,
                skip: counts.skip, notExercised: counts.notExercised))
        document.interrupted = interrupted?.record
        return encoded(document)
    }

    /// The document of a run no case of which could be judged: what the milter asked for is nothing, no case ran,
    /// and `unreachable` says why.
    static func unreachable(_ report: UnreachableReport) -> String {
        encoded(
            Document(
                asked: "nothing: \(report.headline)", cases: [],
                summary: Summary(cases: 0, pass: 0, fail: 0, mustFail: 0, skip: 0, notExercised: 0),
                unreachable: report.reason))
    }

    struct List: Encodable {
        let cases: [ListedCase]
        let summary: ListSummary
    }

    struct ListedCase: Encodable {
        let id: String
        let area: String
        let severity: String
        let description: String
        let source: String
        let file: String
        let exercises: String
    }

    struct ListSummary: Encodable {
        let cases: Int
        let must: Int
        let should: Int
    }

    /// `--list --json`: the catalogue as one JSON document, each case with the fields of the run's report that a
    /// case has before it runs (`id`, `area`, `severity`, `description`, `source`), the `file` it is written in and
    /// what it `exercises` (the commands it is about, as the Markdown list shows them).
    package static func list(_ cases: [ConformanceCase]) -> String {
        let must = cases.filter { $0.severity == .must }.count
        return encoded(
            List(
                cases: cases.map {
                    ListedCase(
                        id: $0.id, area: $0.area, severity: $0.severity.rawValue, description: $0.summary,
                        source: $0.source, file: $0.file, exercises: $0.exercises)
                },
                summary: ListSummary(cases: cases.count, must: must, should: cases.count - must)))
    }

    private static func encoded(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
