import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A command the caller may not send now is refused by the client itself, and its record says so: the caller's
/// mistake is told apart from a milter's verdict.
@Suite struct StepRefusalTests {
    @Test func mailBeforeConnectIsRefusedLocallyWithTheReason() {
        var machine = MTAConnectionStateMachine(configuration: MilterClientConfiguration(), client: SMTPClient())
        _ = machine.negotiationRequested()
        _ = machine.written()
        _ = machine.eventReceived(.reply(Scripts.answer()))
        guard case .deliverStep(let record) = machine.transactionStepRequested(.mail(EnvelopeAddress(mailbox: "a@x")))
        else {
            Issue.record("MAIL before CONNECT went out")
            return
        }
        #expect(record.delivery == .notSent)
        #expect(record.refusal != nil)
        #expect(record.smtpReply == "554 5.5.1 Error: \(record.refusal!.code) at MAIL")
    }

    @Test func aCommandThatGoesHasNoRefusal() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        let record = await connection.mail(Fixtures.sender)
        await connection.quit()
        await milter.stop()
        #expect(record.delivery == .awaited)
        #expect(record.refusal == nil)
    }
}
