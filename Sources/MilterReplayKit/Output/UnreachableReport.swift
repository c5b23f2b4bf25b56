/// The reports of a run that never reached the milter (exit 3: no connection opened, no case could be judged, or
/// `--start` failed): written all the same, so that a CI job that asked for `--junit` or `--report` finds them, with
/// the reason, rather than no file at all.
struct UnreachableReport {
    /// What stopped the run, in words: `the milter could not be reached`.
    var headline = "the milter could not be reached"
    /// The headline of a run whose `--start` failed.
    static let notStarted = "the milter did not start"
    /// Why: `cannot connect to 127.0.0.1:7044: connection refused`.
    let reason: String
    /// The mode, as its reports name it: `milter-replay`, `milter-replay --pcap`, `milter-replay conformance`.
    let suite: String
    /// What the run did not do: `no message was sent`.
    let consequence: String
    /// How long the run took before it stopped.
    let seconds: Double

    /// A JUnit document with one test case, `reach the milter`, in error with the reason; the JUnit of a run that
    /// reached the milter has a test case per message, session or case instead.
    func junit() -> String {
        let escape = JUnitReport.escape
        let time = String(format3: seconds)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        xml += "  <testsuite name=\"\(escape(suite))\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"\(time)\">\n"
        xml += "    <testcase classname=\"\(escape(suite))\" name=\"reach the milter\" time=\"\(time)\">\n"
        xml += "      <error type=\"unreachable\" message=\"\(escape("\(headline): \(reason)"))\"/>\n"
        xml += "      <system-out>\(escape("\(headline): \(reason); \(consequence)"))</system-out>\n"
        return xml + "    </testcase>\n  </testsuite>\n</testsuites>\n"
    }

    /// The HTML report: the command line and machine, and what stopped the run.
    func html(context: ReportContext) -> HTMLReport {
        var report = HTMLReport(title: "\(suite): \(headline)")
        report.sections.append(
            .facts(
                title: "Run",
                context.facts + [
                    ("duration", "\(ChartScale.label(seconds)) s"), ("exit status", "\(ExitCodes.connectFailed)"),
                ]))
        // A row coloured as a failure, as the other reports colour theirs.
        report.sections.append(
            .table(title: "Result", headers: ["result", "why"], rows: [([headline, reason], "fail")]))
        report.sections.append(.note("\(headline.prefix(1).uppercased())\(headline.dropFirst()): \(consequence)."))
        return report
    }

    /// Writes the JUnit and HTML reports asked for (`ownerOnly`: readable by their owner only, for reports that
    /// show values unredacted); returns why one could not be written, in words.
    func write(junit: String?, report: String?, ownerOnly: Bool) -> String? {
        if let junit, let failure = OutputPath.write(self.junit(), to: junit, option: "--junit", ownerOnly: ownerOnly) {
            return failure
        }
        if let report {
            let document = html(context: .current()).render()
            return OutputPath.write(document, to: report, option: "--report", ownerOnly: ownerOnly)
        }
        return nil
    }
}
