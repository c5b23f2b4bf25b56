import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// A scenario's `abort` between transactions under `mta: sendmail`: Sendmail's `milter_abort` writes only to a
/// milter in the message, so nothing goes, and the step is reported not exercised rather than passed.
struct SendmailAbortScenarioTests {
    static func scenario(mta: String) -> String {
        """
        mta: \(mta)
        steps:
          - connect
          - helo
          - abort
        """
    }

    @Test func sendmailSendsNoAbortBetweenTransactions() async throws {
        let outcome = try await ScenarioHarness.run(Self.scenario(mta: "sendmail"), against: Scripts.wellBehaved())
        let reason = try #require(outcome.notExercisedReason)
        #expect(reason.contains("only to a milter in a message"), "\(reason)")
    }

    @Test func postfixSendsIt() async throws {
        let outcome = try await ScenarioHarness.run(Self.scenario(mta: "postfix"), against: Scripts.wellBehaved())
        #expect(outcome.notExercisedReason == nil)
        #expect(outcome.status == .passed)
    }
}
