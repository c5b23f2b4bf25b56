/// The `--junit FILE` scenario report: a test case per scenario, grouped by area (the ID's first part).
package enum ScenarioJUnitReport {
    /// A run that SIGINT or SIGTERM stopped (`interrupted`) has one more test case, `interrupted`, an error.
    package static func document(
        _ outcomes: [ScenarioOutcome], seconds: Double, interrupted: Interrupted? = nil
    ) -> String {
        let failures = outcomes.filter { $0.status == .failed }.count
        let errors = outcomes.filter { $0.word == "error" }.count + (interrupted == nil ? 0 : 1)
        let skipped = outcomes.filter { $0.word == "skip" }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        xml +=
            "  <testsuite name=\"milter-replay scenario\" tests=\"\(outcomes.count + (interrupted == nil ? 0 : 1))\" failures=\"\(failures)\""
        xml += " errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(String(format3: seconds))\">\n"
        for outcome in outcomes { xml += testCase(outcome) }
        if let interrupted { xml += JUnitReport.interruptedCase(ScenarioSummary.line(interrupted)) }
        return xml + "  </testsuite>\n</testsuites>\n"
    }

    private static func testCase(_ outcome: ScenarioOutcome) -> String {
        let escape = JUnitReport.escape
        let classname = outcome.metadata.area ?? outcome.location.file.lastPathComponent
        var xml = "    <testcase classname=\"\(escape(classname))\" name=\"\(escape(outcome.name))\""
        xml += " time=\"\(String(format3: outcome.duration.milliseconds / 1000))\">\n"
        switch outcome.status {
        case .passed: break
        case .failed:
            let message = outcome.failures.map(\.description).joined(separator: "\n")
            let type = outcome.metadata.severity.rawValue
            xml += "      <failure type=\"\(type)\" message=\"\(escape(message))\"/>\n"
        case .skipped(let reason): xml += "      <skipped message=\"\(escape(reason))\"/>\n"
        case .unreachable(let reason), .error(let reason): xml += "      <error message=\"\(escape(reason))\"/>\n"
        }
        xml += "      <system-out>\(escape(ScenarioTextReport.block(outcome, verbose: true)))</system-out>\n"
        return xml + "    </testcase>\n"
    }
}
