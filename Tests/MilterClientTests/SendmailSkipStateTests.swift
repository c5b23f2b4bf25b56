import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// SKIP at a header puts a milter in Sendmail's `SMFS_SKIP` (`sendmail/milter.c`, `milter_send_command`), and
/// the headers after it, answered CONTINUE, leave it there.
@Suite struct SendmailSkipStateTests {
    /// `milter_body` sends no chunk, not even the first of a body over one chunk, to a milter in `SMFS_SKIP`.
    @Test func noBodyChunkAfterSkipAtAHeaderHoweverLongTheBody() {
        let script = Scripts.wellBehaved { command in
            guard case .header(let field) = command, field.name == "From" else { return nil }
            return [.reply(.skip)]
        }
        var message = Fixtures.message
        message.body = Array(repeating: UInt8(ascii: "a"), count: 3 * MilterClientConnection.bodyChunkSize)
        let connection = Fixtures.open(
            SimulatedMilter(script: script), configuration: Fixtures.configuration(profile: .sendmail))
        let result = connection.send(message)
        connection.quit()
        #expect(result.verdict == .accept)
        let events = connection.milter.eventIDs
        #expect(!events.contains(.body) && events.contains(.endOfMessage), "\(events)")
    }

    /// `milter_abort` writes ABORT only to a milter in `SMFS_INMSG`. The transaction is abandoned after three
    /// headers; the milter answers `reply` to the second.
    @Test(arguments: [MilterReply.skip, .continue])
    func noAbortAfterSkipAtAHeader(reply: MilterReply) {
        let script = Scripts.wellBehaved { command in
            guard case .header(let field) = command, field.name == "Subject" else { return nil }
            return [.reply(reply)]
        }
        let connection = Fixtures.open(
            SimulatedMilter(script: script), configuration: Fixtures.configuration(profile: .sendmail))
        connection.mail(EnvelopeAddress(address: "<a@example.org>"))
        connection.recipient(EnvelopeAddress(address: "<b@example.org>"))
        connection.transactionStep(.data)
        for name in ["From", "Subject", "To"] {
            connection.transactionStep(.header(RawHeaderField(name: name, value: " x"), prepared: nil))
        }
        let result = connection.abort()
        connection.quit()
        let events = connection.milter.eventIDs
        #expect(events.filter { $0 == .header }.count == 3, "\(events)")
        #expect(events.contains(.abort) == (reply != .skip), "\(events)")
        #expect(result.findings.allSatisfy { $0.severity == .warning }, "\(result.findings)")
    }
}
