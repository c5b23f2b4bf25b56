#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `--json` report: one JSON document with what the milter asked for, every case and the counts.
package enum ConformanceJSON {
    struct Document: Encodable {
        let asked: String
        let cases: [Case]
        let summary: Summary
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
    }

    struct Summary: Encodable {
        let cases: Int
        let pass: Int
        let fail: Int
        let mustFail: Int
        let skip: Int
    }

    package static func document(_ results: [ConformanceResult], asked: String) -> String {
        let counts = ConformanceTable.Counts(results)
        let document = Document(
            asked: asked,
            cases: results.map {
                Case(
                    id: $0.id, area: $0.area, severity: $0.severity.rawValue, status: $0.status.name,
                    reason: $0.status.reason, description: $0.summary, source: $0.source,
                    seconds: ($0.seconds * 1000).rounded() / 1000)
            },
            summary: Summary(
                cases: results.count, pass: counts.pass, fail: counts.fail, mustFail: results.filter(\.failsRun).count,
                skip: counts.skip))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(document) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
