import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// The text of a refusal from MAIL on under the Sendmail profile. `srvrsmtp.c` sends every refusal through
/// `usrerr` (`err.c`, `fmtmsg`): an enhanced code is added to a first line without one (`5.0.0`, `4.0.0`), and a
/// 450, 550 or 553 at MAIL or RCPT gets the address being parsed and `... ` after it. REJECT at a content step is
/// `554 5.7.1 Command rejected` (after `milter_data`). A REPLYCODE starting `421` ends the session. Every row was
/// also played against Sendmail 8.17.1.9 (SendmailEnvelopeVerdictTests in the interop tests).
@Suite struct SendmailRefusalTextTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var reply: MilterReply
        var step: MilterCommand.ID
        var text: String
        var endsSession = false
        var testDescription: String { "\(reply) at \(step)" }
    }

    static let sender = Fixtures.sender.address.string
    static let bob = Fixtures.recipients[0].address.string

    static let rows: [Row] = [
        Row(reply: .reject, step: .mail, text: "550 5.7.1 \(sender)... Command rejected"),
        Row(reply: .tempfail, step: .mail, text: "451 4.3.2 Please try again later"),
        Row(reply: .replyCode("550 go away"), step: .mail, text: "550 5.0.0 \(sender)... go away"),
        Row(reply: .replyCode("550 5.7.1 go away"), step: .mail, text: "550 5.7.1 \(sender)... go away"),
        Row(reply: .replyCode("553 bad address"), step: .mail, text: "553 5.0.0 \(sender)... bad address"),
        Row(reply: .replyCode("450 busy"), step: .mail, text: "450 4.0.0 \(sender)... busy"),
        // fmtmsg writes the address only after 050, 250, 252, 450, 550 and 553.
        Row(reply: .replyCode("554 no"), step: .mail, text: "554 5.0.0 no"),
        Row(reply: .replyCode("451 4.7.1 later"), step: .mail, text: "451 4.7.1 later"),
        Row(
            reply: .replyCode("550-5.7.1 first\r\n550 5.7.1 second"), step: .mail,
            text: "550-5.7.1 \(sender)... first\r\n550 5.7.1 second"),
        Row(reply: .replyCode("421 bye"), step: .mail, text: "421 4.0.0 bye", endsSession: true),
        Row(reply: .reject, step: .recipient, text: "550 5.7.1 \(bob)... Command rejected"),
        Row(reply: .replyCode("550 go away"), step: .recipient, text: "550 5.0.0 \(bob)... go away"),
        Row(reply: .replyCode("421 4.7.0 bye"), step: .recipient, text: "421 4.7.0 bye", endsSession: true),
        // No address after MAIL and RCPT.
        Row(reply: .replyCode("550 go away"), step: .data, text: "550 5.0.0 go away"),
        Row(reply: .reject, step: .data, text: "550 5.7.1 Command rejected"),
        Row(reply: .reject, step: .endOfHeaders, text: "554 5.7.1 Command rejected"),
        Row(reply: .replyCode("553 no"), step: .endOfMessage, text: "553 5.0.0 no"),
        Row(reply: .reject, step: .endOfMessage, text: "554 5.7.1 Command rejected"),
        Row(reply: .replyCode("421 4.7.0 bye"), step: .endOfMessage, text: "421 4.7.0 bye", endsSession: true),
    ]

    @Test(arguments: rows)
    func sendmailWritesItsRefusalsThroughUsrerr(row: Row) throws {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { command in
                guard command.id == row.step else { return nil }
                // At RCPT only the first recipient, bob.
                if case .recipient(let rcpt) = command, rcpt.address.string != Self.bob { return nil }
                return [.reply(row.reply)]
            })
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: .sendmail))
        connection.connect()
        connection.helo()
        let result = connection.send(Fixtures.message)
        let laterHelo = connection.helo("again.example.org")
        connection.quit()
        let record = try #require(result.steps.first { $0.command == row.step })
        #expect(record.smtpReply == row.text)
        if row.step == .recipient, !row.endsSession {
            #expect(result.rejectedRecipients.map(\.reply) == [row.text])
        } else {
            // A session that ended ends the message with it.
            #expect(result.smtpReply == row.text)
        }
        #expect(laterHelo.smtpReply == (row.endsSession ? row.text : nil))
        // milter_quit at doquit: QUIT, no further event.
        if row.endsSession { #expect(milter.eventIDs.last == .quit && !milter.eventIDs.contains(.abort)) }
    }

    /// `shortenstring(e_to, MAXSHORTSTR)`: an address of 203 bytes or more keeps its first and last 100.
    @Test func aLongAddressIsShortened() throws {
        let local = String(repeating: "a", count: 150)
        let sender = EnvelopeAddress(mailbox: "\(local)@\(String(repeating: "b", count: 60)).example")
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == .mail ? [.reply(.reject)] : nil })
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: .sendmail))
        connection.connect()
        let message = MilterMessage(
            sender: sender, recipients: Fixtures.recipients, content: RawMessage(parsing: Fixtures.rawMessage))
        let result = connection.send(message)
        connection.quit()
        let reply = try #require(result.smtpReply)
        let address = sender.address.string
        #expect(address.utf8.count >= 203)
        let shortened = "\(address.prefix(100))...\(address.suffix(100))"
        #expect(reply == "550 5.7.1 \(shortened)... Command rejected")
    }

    /// Postfix sends a REPLYCODE's text as it is, and REJECT at end of message with `reject`'s 550.
    @Test(arguments: [
        (MilterCommand.ID.mail, MilterReply.replyCode("550 go away"), "550 go away"),
        (.recipient, .reject, "550 5.7.1 Command rejected"),
        (.endOfMessage, .reject, "550 5.7.1 Command rejected"),
    ])
    func postfixKeepsTheText(step: MilterCommand.ID, reply: MilterReply, text: String) throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == step ? [.reply(reply)] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.steps.first { $0.command == step }?.smtpReply == text)
    }
}
