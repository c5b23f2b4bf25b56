import MilterClient
import MilterProtocol

/// Checks a manifest line's expectations beyond the verdict with the scenario checker.
enum ManifestChecks {
    /// `reply code: expected 550, got 250` for each expectation `result` does not meet; values redacted unless
    /// `showsValues` (`--show-values`).
    static func failures(
        _ expectation: StepExpectation?, _ result: TransactionResult, showsValues: Bool = false
    ) -> [String] {
        guard let expectation else { return [] }
        let step = ScenarioStep(
            action: .message(
                MessageSpec(
                    sender: EnvelopeSpec(address: "<>"), recipients: [], headers: .inline([]), body: .inline([]))),
            expectation: expectation, location: expectation.location)
        var display = ValueDisplay(showsValues: showsValues)
        display.redactsExpected = true
        let checker = ExpectationChecker(step: step, display: display, checksFindings: false)
        // `header-added` means a header the milter added, at the end (ADDHEADER) or at an index (INSHEADER).
        var result = result
        result.modifications = result.modifications.map { reply in
            if case .insertHeader(let indexed) = reply { return .addHeader(indexed.field) }
            return reply
        }
        return checker.checks(.transaction(result)).compactMap { check in
            check.failure.map { "\(check.subject): \($0)" }
        }
    }
}
