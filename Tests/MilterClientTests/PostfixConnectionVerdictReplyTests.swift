import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// What the SMTP client is told after REJECT, TEMPFAIL, REPLYCODE or SHUTDOWN at CONNECT or HELO under the
/// Postfix profile. `milter8_event` makes the verdict a refusal and keeps it as the milter's `def_reply` for
/// every later event; `smtpd.c` answers it in `smtpd_proto` after `milter_conn_event` (a 5xx: `554 <host> ESMTP
/// not accepting connections`; 421: `421 <host> Service unavailable - try again later`, and the session ends;
/// else the usual greeting) and in `ehlo_cmd`/`helo_cmd` (250 unless 421), and MAIL gets the refusal. Every row
/// was also played against Postfix 3.7.11 (PostfixConnectionVerdictTests in the interop tests).
@Suite struct PostfixConnectionVerdictReplyTests {
    typealias Row = ConnectionVerdictReplyTests.Row

    static let host = MTAIdentity().hostname
    static let rejectGreeting = "554 \(host) ESMTP not accepting connections"
    static let shutdownGreeting = "421 \(host) Service unavailable - try again later"
    static let rejected = "550 5.7.1 Command rejected"
    static let tempfailed = "451 4.7.1 Service unavailable - try again later"
    static let shutDown = "421 4.7.0 Server closing connection"

    static let rows: [Row] = [
        Row(reply: .reject, step: .connect, connect: rejectGreeting, helo: nil, message: rejected, laterHelo: nil),
        Row(reply: .tempfail, step: .connect, connect: nil, helo: nil, message: tempfailed, laterHelo: nil),
        Row(
            reply: .replyCode("550 5.7.1 go away"), step: .connect, connect: rejectGreeting, helo: nil,
            message: "550 5.7.1 go away", laterHelo: nil),
        // milter8_event drops a single %.
        Row(
            reply: .replyCode("550 5.7.1 100% sure"), step: .connect, connect: rejectGreeting, helo: nil,
            message: "550 5.7.1 100 sure", laterHelo: nil),
        Row(
            reply: .replyCode("451 4.7.1 not now"), step: .connect, connect: nil, helo: nil,
            message: "451 4.7.1 not now", laterHelo: nil),
        Row(
            reply: .replyCode("421 4.7.0 down"), step: .connect, connect: shutdownGreeting, helo: shutdownGreeting,
            message: shutdownGreeting, laterHelo: shutdownGreeting),
        Row(
            reply: .shutdown, step: .connect, connect: shutdownGreeting, helo: shutdownGreeting,
            message: shutdownGreeting, laterHelo: shutdownGreeting),
        Row(reply: .reject, step: .helo, connect: nil, helo: nil, message: rejected, laterHelo: nil),
        Row(reply: .tempfail, step: .helo, connect: nil, helo: nil, message: tempfailed, laterHelo: nil),
        Row(
            reply: .replyCode("550 5.7.1 go away"), step: .helo, connect: nil, helo: nil, message: "550 5.7.1 go away",
            laterHelo: nil),
        Row(
            reply: .replyCode("421 4.7.0 bye"), step: .helo, connect: nil, helo: "421 4.7.0 bye",
            message: "421 4.7.0 bye", laterHelo: "421 4.7.0 bye"),
        Row(reply: .shutdown, step: .helo, connect: nil, helo: shutDown, message: shutDown, laterHelo: shutDown),
    ]

    @Test(arguments: rows)
    func postfixAnswersAsSmtpdDoes(row: Row) {
        let outcome = ConnectionVerdictReplyTests.run(row.reply, at: row.step, profile: .postfix)
        // No row has warnings: no finding at all.
        ConnectionVerdictReplyTests.expect(outcome, matches: row)
        // milter8.c's MILTER8_STAT_REJECT_CON: no later event goes to the milter, and Postfix sends no QUIT.
        let verdictAt = outcome.events.firstIndex(of: row.step)
        #expect(verdictAt == outcome.events.count - 1, "\(outcome.events)")
    }

    /// `$j` in the greetings is the played MTA's host name.
    @Test func theGreetingsNameTheMTA() {
        var configuration = Fixtures.configuration(profile: .postfix)
        configuration.identity = MTAIdentity(hostname: "mta.example.net")
        for (reply, greeting) in [
            (MilterReply.reject, "554 mta.example.net ESMTP not accepting connections"),
            (.shutdown, "421 mta.example.net Service unavailable - try again later"),
        ] {
            let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == .connect ? [.reply(reply)] : nil })
            let connection = SimulatedConnection(milter: milter, configuration: configuration)
            #expect(connection.connect().smtpReply == greeting)
            connection.quit()
        }
    }
}
