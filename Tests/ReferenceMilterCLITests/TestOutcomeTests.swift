import MilterClient
import MilterProtocol
import ReferenceMilterCLI
import Testing

/// The deciding step and the refused recipients, read from MilterClient's records with no milter at all.
@Suite struct TestOutcomeTests {
    static let recipients = [EnvelopeAddress(mailbox: "a@example.org"), EnvelopeAddress(mailbox: "b@example.org")]

    static func awaited(_ command: MilterCommand.ID, _ reply: MilterReply) -> StepRecord {
        StepRecord(command: command, delivery: .awaited, replies: [reply])
    }

    @Test func theLastAnsweredStepDecides() {
        let steps = [
            Self.awaited(.mail, .continue), Self.awaited(.recipient, .replyCode("550 5.1.1 no")),
            Self.awaited(.recipient, .continue), StepRecord(command: .data, delivery: .skipped),
            Self.awaited(.endOfMessage, .accept), StepRecord(command: .abort, delivery: .sentWithoutReply),
        ]
        let outcome = TestOutcome(
            opening: [Self.awaited(.connect, .continue)], result: TransactionResult(steps: steps, verdict: .accept),
            recipients: Self.recipients)
        #expect(outcome.stage == .endOfMessage && outcome.final == .accept)
        #expect(outcome.refusedRecipients == ["<a@example.org>": .replyCode("550 5.1.1 no")])
    }

    @Test func stepsNotSentAfterARefusalDoNotCount() {
        let steps = [
            Self.awaited(.mail, .tempfail), StepRecord(command: .recipient, delivery: .notSent),
            StepRecord(command: .recipient, delivery: .notSent), StepRecord(command: .endOfMessage, delivery: .notSent),
        ]
        let outcome = TestOutcome(
            opening: [], result: TransactionResult(steps: steps, verdict: .tempfail), recipients: Self.recipients)
        #expect(outcome.verdict == "tempfail")
        #expect(outcome.stage == .mail && outcome.final == .tempfail)
        #expect(outcome.refusedRecipients.isEmpty)
    }
}
