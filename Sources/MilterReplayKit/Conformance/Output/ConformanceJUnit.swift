/// The `--junit FILE` report: a test suite per area, a test case per case; a failed case is a failure,
/// a skipped one, or one not exercised, is skipped with its reason (`not exercised: …`).
package enum ConformanceJUnit {
    package static func document(_ results: [ConformanceResult]) -> String {
        let total = ConformanceTable.Counts(results)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"milter-replay conformance\" tests=\"\(results.count)\" failures=\"\(total.fail)\""
        xml += " skipped=\"\(total.skip + total.notExercised)\">\n"
        for (area, group) in ConformanceTable.grouped(results) {
            let counts = ConformanceTable.Counts(group)
            let seconds = group.reduce(0) { $0 + $1.seconds }
            xml += "  <testsuite name=\"\(area)\" tests=\"\(group.count)\" failures=\"\(counts.fail)\""
            xml +=
                " errors=\"0\" skipped=\"\(counts.skip + counts.notExercised)\" time=\"\(String(format3: seconds))\">\n"
            for result in group { xml += testCase(result) }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    private static func testCase(_ result: ConformanceResult) -> String {
        var xml = "    <testcase classname=\"conformance.\(result.area)\" name=\"\(JUnitReport.escape(result.id))\""
        xml += " time=\"\(String(format3: result.seconds))\">\n"
        switch result.status {
        case .pass: break
        case .fail(let reason):
            xml += "      <failure message=\"\(JUnitReport.escape("[\(result.severity.rawValue)] \(reason)"))\"/>\n"
        case .skip(let reason), .notExercised(let reason):
            xml += "      <skipped message=\"\(JUnitReport.escape(reason))\"/>\n"
        }
        xml += "      <system-out>\(JUnitReport.escape("\(result.summary) Source: \(result.source)."))</system-out>\n"
        return xml + "    </testcase>\n"
    }
}
