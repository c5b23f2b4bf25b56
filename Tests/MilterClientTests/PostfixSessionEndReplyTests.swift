import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A REPLYCODE starting with 421 from MAIL on under the Postfix profile: `smtpd_chat_reply` (`smtpd_chat.c`) sets
/// `SMTPD_FLAG_HANGUP` after sending it, so the session ends; the milter, still in the session for `milter8.c`
/// (`MILTER8_STAT_ENVELOPE`), gets ABORT (`mail_reset`), ABORT (`helo_reset`) and QUIT (`milter8_disc_event`). As
/// Postfix 3.7.11 did (PostfixSessionEndTests in the interop tests).
@Suite struct PostfixSessionEndReplyTests {
    @Test(arguments: [MilterCommand.ID.mail, .recipient, .data, .endOfHeaders, .endOfMessage])
    func postfixHangsUpAfterA421(step: MilterCommand.ID) throws {
        let text = "421 4.7.0 bye"
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == step ? [.reply(.replyCode(MilterString(text)))] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        connection.helo()
        let result = connection.send(Fixtures.message)
        let next = connection.send(Fixtures.message)
        let laterHelo = connection.helo("again.example.org")
        connection.quit()
        #expect(result.steps.first { $0.command == step }?.smtpReply == text)
        #expect(result.smtpReply == text && result.verdict == .tempfail)
        #expect(next.smtpReply == text && laterHelo.smtpReply == text, "the session is over")
        let events = milter.eventIDs
        let at = try #require(events.firstIndex(of: step))
        #expect(Array(events[(at + 1)...]) == [.abort, .abort, .quit], "\(events)")
    }

    /// Another 4xx leaves the session open: the next message goes to the milter.
    @Test func a451RefusesOnlyTheMessage() {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == .mail ? [.reply(.replyCode("451 4.7.1 later"))] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        let result = connection.send(Fixtures.message)
        let laterHelo = connection.helo("again.example.org")
        connection.quit()
        #expect(result.smtpReply == "451 4.7.1 later")
        #expect(laterHelo.smtpReply == nil && laterHelo.delivery == .awaited)
    }
}
