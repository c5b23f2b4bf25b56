import MilterReplayKit
import Testing

/// The totals and the JUnit report of a scenario run: a failed `should` case is reported without failing the
/// run, a skipped case says why, an unreachable milter exits 3.
struct ScenarioReportTests {
    static func outcome(
        _ id: String, _ status: ScenarioOutcome.Status, severity: ScenarioSeverity = .must
    )
        -> ScenarioOutcome
    {
        let location = ScenarioLocation(file: "cases/\(id).yaml", line: 1, column: 1)
        let failed = ScenarioCheck(
            location: ScenarioLocation(file: "cases/\(id).yaml", line: 7, column: 5), step: "rcpt",
            subject: "reply code", failure: "expected 550, got 450")
        return ScenarioOutcome(
            name: id, metadata: ScenarioMetadata(id: id, severity: severity), location: location, status: status,
            checks: status == .failed ? [failed] : [], duration: .milliseconds(2))
    }

    @Test func aFailedShouldCaseDoesNotFailTheRun() {
        var summary = ScenarioSummary()
        summary.add(Self.outcome("abort.no-reply", .passed))
        summary.add(Self.outcome("body.chunk", .failed, severity: .should))
        summary.add(Self.outcome("mods.chgfrom", .skipped("needs action CHGFROM negotiated (got none)")))
        #expect(summary.exitCode == 0)
        #expect((summary.passed, summary.failed, summary.failedShould, summary.skipped) == (1, 1, 1, 1))
        summary.add(Self.outcome("macro.stage-L", .failed))
        #expect(summary.exitCode == 1)
        summary.add(Self.outcome("version.v2", .unreachable("cannot connect to 127.0.0.1:1: connection refused")))
        #expect(summary.exitCode == 3)
    }

    @Test func theJUnitReportHasACasePerScenarioByArea() {
        let xml = ScenarioJUnitReport.document(
            [
                Self.outcome("abort.no-reply", .passed), Self.outcome("body.chunk", .failed, severity: .should),
                Self.outcome("mods.chgfrom", .skipped("needs action CHGFROM negotiated (got none)")),
                Self.outcome("version.v2", .unreachable("cannot connect")),
            ], seconds: 0.5)
        #expect(xml.contains("tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"0.500\""), "\(xml)")
        #expect(xml.contains("<testcase classname=\"body\" name=\"body.chunk\" time=\"0.002\">"), "\(xml)")
        #expect(
            xml.contains(
                "<failure type=\"should\" message=\"cases/body.chunk.yaml:7:5: rcpt: reply code: expected 550, got 450\"/>"
            ), "\(xml)")
        #expect(xml.contains("<skipped message=\"needs action CHGFROM negotiated (got none)\"/>"), "\(xml)")
        #expect(xml.contains("<error message=\"cannot connect\"/>"), "\(xml)")
    }
}
