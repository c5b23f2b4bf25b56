import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
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
        var configuration = MilterClientConfiguration(profile: .postfix)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test")
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        try await VerdictCases.withMilter(Self.cases) { milter, select in
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                for index in Self.cases.indices {
                    select(index)
                    let real = try await SMTPClient.session(
                        port: postfix.smtpPort, messages: [message], throughRefusals: true)
                    let simulated = try await ProfileSession.run(port: milter.port, configuration)
                    let label = "\(Self.cases[index])"
                    VerdictCases.expect(simulated, matches: real, label)
                    #expect(simulated.ended == real.closedByServer, "\(label)")
                    // Every case refuses something: MAIL, or the session ends first.
                    #expect(real.closedByServer || real.results.first?.mail.code ?? 250 >= 400, "\(label)")
                }
            }
        }
    }
}
