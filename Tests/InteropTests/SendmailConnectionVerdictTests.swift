import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

/// Verdicts at CONNECT and HELO, and a REPLYCODE without its NUL, from a scripted milter, through the real
/// Sendmail and through MilterClient's Sendmail profile: the profile gives CONNECT, HELO and MAIL the replies
/// Sendmail gives the SMTP client (`nil` where Sendmail answers as usual: 220, 250).
@Suite("Sendmail and MilterClient on verdicts at CONNECT and HELO")
struct SendmailConnectionVerdictTests {
    static let cases: [(MilterCommand.ID, ScriptedMilter.Action)] = [
        (.connect, .reply(.reject)), (.connect, .reply(.tempfail)), (.connect, .reply(.replyCode("421 4.7.0 down"))),
        (.connect, .reply(.replyCode("550 5.7.1 go away"))), (.helo, .reply(.reject)), (.helo, .reply(.tempfail)),
        (.helo, .reply(.replyCode("550 go away"))), (.helo, .reply(.replyCode("421 4.7.0 bye"))),
        (.helo, .raw([0, 0, 0, 13, UInt8(ascii: "y")] + Array("550 5.7.1 no".utf8))),
    ]

    @Test func sendmailAndTheProfileAgree() async throws {
        guard Interop.require(.sendmail) else { return }
        let row = NIOLockedValueBox(0)
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved { command in
                let (step, action) = Self.cases[row.withLockedValue { $0 }]
                return command.id == step ? [action] : nil
            })
        var configuration = MilterClientConfiguration(profile: .sendmail)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test")
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        do {
            try await Sendmail.with(milters: ["inet:\(milter.port)@127.0.0.1"]) { sendmail in
                for index in Self.cases.indices {
                    row.withLockedValue { $0 = index }
                    let real = try await SMTPClient.session(port: sendmail.smtpPort, messages: [message])
                    let simulated = try await Self.throughTheProfile(port: milter.port, configuration)
                    let label = "\(Self.cases[index])"
                    #expect(
                        simulated.connect == (real.greeting.code == 220 ? nil : real.greeting.description), "\(label)")
                    if let helo = real.helo {
                        #expect(simulated.helo == (helo.code == 250 ? nil : helo.description), "\(label)")
                    }
                    if let mail = real.results.first?.mail { #expect(simulated.mail == mail.description, "\(label)") }
                }
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }

    /// CONNECT's, HELO's and the message's SMTP replies under the profile.
    static func throughTheProfile(
        port: Int, _ configuration: MilterClientConfiguration
    ) async throws -> (connect: String?, helo: String?, mail: String?) {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
        let connect = await connection.connect()
        let helo = await connection.helo()
        let result = await connection.send(
            MilterMessage(
                sender: EnvelopeAddress(mailbox: "a@example.com"),
                recipients: [EnvelopeAddress(mailbox: "b@example.org")],
                content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8))))
        await connection.quit()
        return (connect.smtpReply, helo.smtpReply, result.smtpReply)
    }
}
