import Testing

@testable import MilterReplayKit

/// The result column of `conformance --report`.
struct ConformanceHTMLReportTests {
    @Test func aCaseNotExercisedShowsItsReasonOnce() throws {
        let testCase = try #require(Catalogue.named("unknown.command"))
        let reason = "not exercised: the milter asked NOUNKNOWN: no UNKNOWN was sent"
        let results = [
            ConformanceResult(testCase, status: .notExercised(reason), seconds: 0),
            ConformanceResult(testCase, status: .fail("expected continue"), seconds: 0),
        ]
        let context = ReportContext(commandLine: "milter-replay conformance", machine: "m", started: "s")
        let html = ConformanceHTMLReport.document(results, asked: "x", context: context).render()
        #expect(html.contains("<td>\(reason)</td>"), "\(html)")
        #expect(!html.contains("not-exercised: not exercised"), "\(html)")
        #expect(html.contains("<td>fail: expected continue</td>"), "\(html)")
    }
}
