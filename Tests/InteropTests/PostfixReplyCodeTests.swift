import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A REPLYCODE at end of message, from a scripted milter, through the real Postfix and through MilterClient's
/// Postfix profile: both give the SMTP client the same reply. Postfix 3.7's `milter8_event` checks only the
/// text's start, dropping a single `%`, and answers a digit of another class after the code with its
/// configuration error.
@Suite("Postfix and MilterClient on REPLYCODE")
struct PostfixReplyCodeTests {
    @Test(arguments: [
        ("550 5.7.1 100% sure", "550 5.7.1 100 sure"),
        ("550 4 items left", MTAProfile.postfix.replies.configurationError),
    ])
    func postfixAndTheProfileAgree(text: String, reply: String) async throws {
        guard Interop.require(.postfix) else { return }
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(endOfMessage: [.reply(.replyCode(MilterString(text)))]))
        do {
            let result = try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                try await postfix.send(SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi"))
            }
            #expect(result.final?.description == reply)
            let connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: milter.port))
            await connection.connect()
            await connection.helo()
            let message = MilterMessage(
                sender: EnvelopeAddress(mailbox: "a@example.com"),
                recipients: [EnvelopeAddress(mailbox: "b@example.org")],
                content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8)))
            let simulated = await connection.send(message)
            await connection.quit()
            #expect(simulated.smtpReply == reply)
            await milter.stop()
        } catch {
            await milter.stop()
            throw error
        }
    }
}
