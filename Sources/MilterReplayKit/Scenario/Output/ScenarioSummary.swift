/// Totals of a scenario run, and the exit code it deserves.
package struct ScenarioSummary: Hashable, Sendable {
    package private(set) var passed = 0
    package private(set) var failed = 0
    /// Failed `should` cases, also counted in ``failed``.
    package private(set) var failedShould = 0
    package private(set) var skipped = 0
    package private(set) var errors = 0
    package private(set) var unreachable = 0
    package private(set) var expectations = 0
    package private(set) var failedExpectations = 0
    /// How the run ended when SIGINT or SIGTERM stopped it; `nil` otherwise.
    package var interrupted: Interrupted?

    package init() {}

    package mutating func add(_ outcome: ScenarioOutcome) {
        expectations += outcome.checks.count
        failedExpectations += outcome.failures.count
        switch outcome.status {
        case .passed: passed += 1
        case .failed:
            failed += 1
            if outcome.metadata.severity == .should { failedShould += 1 }
        case .skipped: skipped += 1
        case .unreachable: unreachable += 1
        case .error: errors += 1
        }
    }

    /// `interrupted by SIGINT: 4 scenarios not run`.
    package static func line(_ interrupted: Interrupted) -> String {
        interrupted.line(unit: "scenarios", notDone: "not run", uncounted: "the rest was not run")
    }

    package var scenarios: Int { passed + failed + skipped + errors + unreachable }

    /// 128 + the signal when one stopped the run, 3 when the milter could not be reached, 1 when a `must` case failed or could not run, else 0.
    package var exitCode: Int32 {
        if let interrupted { return interrupted.exitStatus }
        if unreachable > 0 { return ExitCodes.connectFailed }
        if failed > failedShould || errors > 0 { return ExitCodes.mismatch }
        return ExitCodes.success
    }
}
