import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

/// Verdicts at CONNECT and HELO from a scripted milter, through the real Postfix and through MilterClient's
/// Postfix profile: the profile gives CONNECT, HELO and MAIL the replies Postfix gives the SMTP client (`nil`
/// where Postfix answers as usual: 220, 250), and ends the session where Postfix does. `smtpd.c` answers
/// `milter_conn_event` in `smtpd_proto` (554 for a 5xx, 421 for a 421, else the usual greeting) and
/// `milter_helo_event` in `ehlo_cmd` (250 unless 421); `milter8.c` keeps the refusal as the milter's
/// `def_reply` for the later commands.
@Suite("Postfix and MilterClient on verdicts at CONNECT and HELO")
struct PostfixConnectionVerdictTests {
    static let cases: [(MilterCommand.ID, ScriptedMilter.Action)] = [
        (.connect, .reply(.reject)), (.connect, .reply(.tempfail)), (.connect, .reply(.shutdown)),
        (.connect, .reply(.replyCode("550 5.7.1 go away"))), (.connect, .reply(.replyCode("451 4.7.1 not now"))),
        (.connect, .reply(.replyCode("421 4.7.0 down"))), (.helo, .reply(.reject)), (.helo, .reply(.tempfail)),
        (.helo, .reply(.shutdown)), (.helo, .reply(.replyCode("550 5.7.1 go away"))),
        (.helo, .reply(.replyCode("421 4.7.0 bye"))),
    ]

    @Test func postfixAndTheProfileAgree() async throws {
        guard Interop.require(.postfix) else { return }
        let row = NIOLockedValueBox(0)
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved { command in
                let (step, action) = Self.cases[row.withLockedValue { $0 }]
                return command.id == step ? [action] : nil
            })
        var configuration = MilterClientConfiguration(profile: .postfix)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test")
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        do {
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                for index in Self.cases.indices {
                    row.withLockedValue { $0 = index }
                    let real = try await SMTPClient.session(
                        port: postfix.smtpPort, messages: [message], throughRefusals: true)
                    let simulated = try await Self.throughTheProfile(port: milter.port, configuration)
                    let label = "\(Self.cases[index])"
                    #expect(
                        simulated.connect == (real.greeting.code == 220 ? nil : real.greeting.description), "\(label)")
                    if let helo = real.helo {
                        #expect(simulated.helo == (helo.code == 250 ? nil : helo.description), "\(label)")
                    }
                    if let mail = real.results.first?.mail { #expect(simulated.mail == mail.description, "\(label)") }
                    #expect(simulated.ended == real.closedByServer, "\(label)")
                    // Every case refuses something: MAIL, or the session ends first.
                    #expect(real.closedByServer || real.results.first?.mail.code ?? 250 >= 400, "\(label)")
                }
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }

    /// CONNECT's, HELO's and the message's SMTP replies under the profile, and whether the session ended (a later
    /// HELO gets a refusal).
    static func throughTheProfile(
        port: Int, _ configuration: MilterClientConfiguration
    ) async throws -> (connect: String?, helo: String?, mail: String?, ended: Bool) {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
        let connect = await connection.connect()
        let helo = await connection.helo()
        let result = await connection.send(
            MilterMessage(
                sender: EnvelopeAddress(mailbox: "a@example.com"),
                recipients: [EnvelopeAddress(mailbox: "b@example.org")],
                content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8))))
        let laterHelo = await connection.helo("again.example.org")
        await connection.quit()
        return (connect.smtpReply, helo.smtpReply, result.smtpReply, laterHelo.smtpReply != nil)
    }
}
