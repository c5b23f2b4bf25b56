import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// `{auth_author}` at MAIL from the real Postfix 3.7 and from MilterClient's Postfix profile, for the same MAIL FROM
/// `AUTH=` parameters, without a SASL login (the harness's Postfix has none): the value as written, xtext not
/// decoded; none for `AUTH=<>` and for a MAIL without `AUTH=` (`smtpd_sasl_mail_opt`, `smtpd_milter_eval`).
@Suite("Postfix and MilterClient: {auth_author}")
struct PostfixAuthorMacroTests {
    static let parameters: [[String]] = [["AUTH=<alice+2Bx@interop.test>"], ["AUTH=<>"], [], ["auth=bob@interop.test"]]

    /// The `{auth_author}` of each MAIL MACRO packet (the packets with `{mail_addr}`), `-` for none.
    static func authors(_ packets: [[String: String]]) -> [String] {
        packets.filter { $0["{mail_addr}"] != nil }.map { $0["{auth_author}"] ?? "-" }
    }

    @Test func postfixAndTheProfileSendTheSameAuthor() async throws {
        guard Interop.require(.postfix) else { return }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        do {
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                // The check that Postfix listens made a session of its own (OPTNEG, CONNECT, QUIT).
                try await milter.waitForQuits(1)
                let messages = Self.parameters.map { parameters in
                    var message = SMTPMessage(from: "a@interop.test", to: ["b@example.org"], subject: "hi")
                    message.mailParameters = parameters
                    return message
                }
                let real = try await EnvelopeMacros.macros(of: milter) {
                    let session = try await postfix.session(messages)
                    #expect(session.results.allSatisfy { $0.mail.code == 250 }, "\(session)")
                }
                let simulated = try await EnvelopeMacros.macros(of: milter) {
                    let connection = try await MilterClientConnection.open(
                        to: .inet(host: "127.0.0.1", port: milter.port),
                        configuration: MilterClientConfiguration(profile: .postfix))
                    _ = await connection.connect()
                    _ = await connection.helo("client.interop.test")
                    for parameters in Self.parameters {
                        _ = await connection.send(
                            MilterMessage(
                                sender: EnvelopeAddress(mailbox: "a@interop.test", arguments: parameters),
                                recipients: [EnvelopeAddress(mailbox: "b@example.org")],
                                content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8))))
                    }
                    await connection.quit()
                }
                let expected = ["<alice+2Bx@interop.test>", "-", "-", "bob@interop.test"]
                #expect(Self.authors(real) == expected, "Postfix: \(real)")
                #expect(Self.authors(simulated) == Self.authors(real), "Postfix: \(real)\nMilterClient: \(simulated)")
            }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }
}
