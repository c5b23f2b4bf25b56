import MilterClient

/// The `--json` scenario output: one JSON object per scenario, then the summary (docs/scenarios.md).
enum ScenarioJSONReport {
    struct Scenario: Encodable {
        let type = "scenario"
        let name: String
        let id: String?
        let file: String
        let status: String
        let severity: String
        let reason: String?
        let durationMs: Double
        let checks: [Check]
    }

    struct Check: Encodable {
        let location: String
        let step: String
        let subject: String
        let passed: Bool
        let failure: String?
        /// ``ScenarioCheck/sentWithoutReply``'s runs, oldest first, as replay's findings have them.
        let sentWithoutReply: [JSONReport.CommandCount]
        /// Commands sent after those, not listed.
        let sentWithoutReplyMore: Int
    }

    struct Summary: Encodable {
        let type = "summary"
        let scenarios: Int
        let passed: Int
        let failed: Int
        let skipped: Int
        let errors: Int
        let expectations: Int
        let failedExpectations: Int
        let seconds: Double
        let exitCode: Int32
        /// How a run that SIGINT or SIGTERM stopped ended; absent otherwise.
        var interrupted: Interrupted.Record?
    }

    static func line(_ outcome: ScenarioOutcome) -> String {
        let reason: String?
        switch outcome.status {
        case .skipped(let text), .unreachable(let text), .error(let text): reason = text
        case .passed, .failed: reason = nil
        }
        let checks = outcome.checks.map {
            Check(
                location: $0.location.description, step: $0.step, subject: $0.subject, passed: $0.passed,
                failure: $0.failure, sentWithoutReply: JSONReport.CommandCount.runs(of: $0.sentWithoutReply),
                sentWithoutReplyMore: $0.sentWithoutReply.unlisted)
        }
        return JSONReport.encode(
            Scenario(
                name: outcome.name, id: outcome.metadata.id, file: outcome.location.file, status: outcome.word,
                severity: outcome.metadata.severity.rawValue, reason: reason,
                durationMs: outcome.duration.milliseconds, checks: checks))
    }

    static func summary(_ summary: ScenarioSummary, seconds: Double) -> String {
        JSONReport.encode(
            Summary(
                scenarios: summary.scenarios, passed: summary.passed, failed: summary.failed,
                skipped: summary.skipped, errors: summary.errors + summary.unreachable,
                expectations: summary.expectations, failedExpectations: summary.failedExpectations, seconds: seconds,
                exitCode: summary.exitCode, interrupted: summary.interrupted?.record))
    }
}
