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

    /// Every recipient refused with a 4xx: Postfix ends the transaction with its 554 "no valid recipients"
    /// (a reject for MilterClient), but the milter tempfailed: `test` reported REJECT, exit 1.
    @Test func everyRecipientRefusedForNowIsATempfail() {
        let noValidRecipients = StepRecord(
            command: .data, delivery: .notSent, smtpReply: "554 5.5.1 Error: no valid recipients")
        let steps = [
            Self.awaited(.mail, .continue), Self.awaited(.recipient, .replyCode("451 4.3.0 Try again later")),
            Self.awaited(.recipient, .tempfail), noValidRecipients,
        ]
        let outcome = TestOutcome(
            opening: [], result: TransactionResult(steps: steps, verdict: .reject), recipients: Self.recipients)
        #expect(outcome.verdict == "tempfail")
        #expect(outcome.stage == .recipient && outcome.refusedRecipients.count == 2)

        // One permanent refusal among them: the milter rejected that recipient, the transaction is a reject.
        let mixed = [
            Self.awaited(.mail, .continue), Self.awaited(.recipient, .replyCode("451 4.3.0 Try again later")),
            Self.awaited(.recipient, .reject), noValidRecipients,
        ]
        let rejected = TestOutcome(
            opening: [], result: TransactionResult(steps: mixed, verdict: .reject), recipients: Self.recipients)
        #expect(rejected.verdict == "reject")
    }
}
