/// The `--junit FILE` report: a test suite per area, a test case per case. It agrees with the exit status: a
/// failed `must` case is a failure; a failed `should` case, which does not fail the run, is skipped with
/// `should: REASON`; a skipped case, or one not exercised, is skipped with its reason (`not exercised: …`).
package enum ConformanceJUnit {
    /// The report of `results`; a run that a signal stopped (`interrupted`) has one more test suite, `interrupted`,
    /// whose one test case is an error.
    package static func document(_ results: [ConformanceResult], interrupted: Interrupted? = nil) -> String {
        let total = ConformanceTable.Counts(results)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuites name=\"milter-replay conformance\" tests=\"\(results.count)\" failures=\"\(failures(results))\""
        xml += " skipped=\"\(results.count - total.pass - failures(results))\">\n"
        for (area, group) in ConformanceTable.grouped(results) {
            let counts = ConformanceTable.Counts(group)
            let seconds = group.reduce(0) { $0 + $1.seconds }
            xml += "  <testsuite name=\"\(area)\" tests=\"\(group.count)\" failures=\"\(failures(group))\""
            xml +=
                " errors=\"0\" skipped=\"\(group.count - counts.pass - failures(group))\" time=\"\(String(format3: seconds))\">\n"
            for result in group { xml += testCase(result) }
            xml += "  </testsuite>\n"
        }
        if let interrupted {
            xml +=
                "  <testsuite name=\"interrupted\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n"
            xml += JUnitReport.interruptedCase(ConformanceTable.line(interrupted)) + "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// The failures JUnit counts: the cases that fail the run (`must` failures), as the exit status does.
    private static func failures(_ results: [ConformanceResult]) -> Int { results.filter(\.failsRun).count }

    private static func testCase(_ result: ConformanceResult) -> String {
        var xml = "    <testcase classname=\"conformance.\(result.area)\" name=\"\(JUnitReport.escape(result.id))\""
        xml += " time=\"\(String(format3: result.seconds))\">\n"
        switch result.status {
        case .pass: break
        case .fail(let reason) where !result.failsRun:
            xml += "      <skipped message=\"\(JUnitReport.escape("should: \(reason)"))\"/>\n"
        case .fail(let reason):
            xml += "      <failure message=\"\(JUnitReport.escape("[\(result.severity.rawValue)] \(reason)"))\"/>\n"
        case .skip(let reason), .notExercised(let reason):
            xml += "      <skipped message=\"\(JUnitReport.escape(reason))\"/>\n"
        }
        xml += "      <system-out>\(JUnitReport.escape("\(result.summary) Source: \(result.source)."))</system-out>\n"
        return xml + "    </testcase>\n"
    }
}
