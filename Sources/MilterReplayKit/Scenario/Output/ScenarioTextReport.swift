/// The human-readable scenario report: a block per scenario, then the totals.
enum ScenarioTextReport {
    /// `PASS  name  1.234 ms`, then one line per failed expectation (every expectation with `verbose`).
    static func block(_ outcome: ScenarioOutcome, verbose: Bool) -> String {
        var head = "\(label(outcome))  \(outcome.name)"
        if let description = outcome.metadata.description { head += "  (\(description))" }
        head += "  " + String(format3: outcome.duration.milliseconds) + " ms"
        switch outcome.status {
        case .skipped(let reason): head += "\n    skipped: \(reason)"
        case .unreachable(let reason), .error(let reason): head += "\n    \(reason)"
        case .passed, .failed: break
        }
        let shown = verbose ? outcome.checks : outcome.failures
        return ([head] + shown.map { "    \($0)" }).joined(separator: "\n")
    }

    private static func label(_ outcome: ScenarioOutcome) -> String {
        switch outcome.status {
        case .passed: "PASS "
        case .failed: outcome.metadata.severity == .should ? "FAIL (should)" : "FAIL "
        case .skipped: "SKIP "
        case .unreachable, .error: "ERROR"
        }
    }

    static func summary(_ summary: ScenarioSummary, seconds: Double) -> String {
        var counts = "pass \(summary.passed), fail \(summary.failed)"
        if summary.failedShould > 0 { counts += " (\(summary.failedShould) should)" }
        counts += ", skip \(summary.skipped), error \(summary.errors + summary.unreachable)"
        return [
            "",
            "scenarios: \(summary.scenarios)  (\(counts))",
            "expectations: \(summary.expectations)  (failed \(summary.failedExpectations))",
            "time: \(String(format3: seconds)) s",
        ].joined(separator: "\n") + (summary.interrupted.map { "\n" + ScenarioSummary.line($0) } ?? "")
    }
}
