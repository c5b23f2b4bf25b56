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
    /// The same message through MilterClient's Postfix profile.
    static func throughTheProfile(port: Int) async throws -> TransactionResult {
        let connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: port))
        await connection.connect()
        await connection.helo()
        let message = MilterMessage(
            sender: EnvelopeAddress(mailbox: "a@example.com"), recipients: [EnvelopeAddress(mailbox: "b@example.org")],
            content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8)))
        let simulated = await connection.send(message)
        await connection.quit()
        return simulated
    }

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
            let simulated = try await Self.throughTheProfile(port: milter.port)
            #expect(simulated.smtpReply == reply)
            await milter.stop()
        } catch {
            await milter.stop()
            throw error
        }
    }

    /// A REPLYCODE with no NUL at the end of its payload: `milter8_read_data` reads it as a buffer, which needs
    /// no terminator. Postfix 3.7.21 and later terminate it and send its bytes; earlier releases (3.7.11 here)
    /// read on into stale bytes of the reused buffer, so only the start of the reply is checked.
    @Test func postfixTakesAReplyCodeWithoutItsNUL() async throws {
        guard Interop.require(.postfix) else { return }
        let text = Array("550 5.7.1 unterminated".utf8)
        let frame = [0, 0, 0, UInt8(text.count + 1), UInt8(ascii: "y")] + text
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved(endOfMessage: [.raw(frame)]))
        do {
            let result = try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                try await postfix.send(SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi"))
            }
            // 3.7.11 sent the text and a run of stale bytes (spaces) after it.
            #expect(result.final?.description.hasPrefix("550 5.7.1 unterminated") == true)
            let simulated = try await Self.throughTheProfile(port: milter.port)
            #expect(simulated.smtpReply == "550 5.7.1 unterminated")
            #expect(simulated.findings.map(\.severity) == [.warning])
            await milter.stop()
        } catch {
            await milter.stop()
            throw error
        }
    }
}
