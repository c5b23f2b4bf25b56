import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// Verdicts at MAIL, RCPT, DATA, end of headers and end of message from a scripted milter, through the real
/// Sendmail and through MilterClient's Sendmail profile: the profile gives each the reply Sendmail gives the SMTP
/// client, and ends the session where Sendmail does. `srvrsmtp.c`'s `MILTER_REPLY` sends every refusal through `usrerr`, whose `fmtmsg` (`err.c`) adds
/// an enhanced code the text lacks and, for 450, 550 and 553, the address being parsed (`e_to`) with `... `; a
/// REPLYCODE starting `421 ` or `421-` ends the session (`goto doquit`).
@Suite("Sendmail and MilterClient on verdicts from MAIL on")
struct SendmailEnvelopeVerdictTests {
    static let replies: [MilterReply] = [
        .reject, .tempfail, .replyCode("550 go away"), .replyCode("550 5.7.1 go away"), .replyCode("553 bad address"),
        .replyCode("554 5.7.1 no"), .replyCode("450 busy"), .replyCode("451 4.7.1 later"),
        .replyCode("421 4.7.0 bye"), .replyCode("421 bye"), .replyCode("550-5.7.1 first\r\n550 5.7.1 second"),
    ]
    static let contentReplies: [MilterReply] = [
        .reject, .replyCode("550 go away"), .replyCode("553 no"), .replyCode("421 4.7.0 bye"),
    ]
    static let cases: [(MilterCommand.ID, MilterReply)] =
        [MilterCommand.ID.mail, .recipient].flatMap { step in replies.map { (step, $0) } }
        + [MilterCommand.ID.data, .endOfHeaders, .endOfMessage].flatMap { step in contentReplies.map { (step, $0) } }

    @Test func sendmailAndTheProfileAgree() async throws {
        guard Interop.require(.sendmail) else { return }
        var configuration = MilterClientConfiguration(profile: .sendmail)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test")
        var message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        // The address Sendmail writes into a refusal ends before the parameters.
        message.mailParameters = ["SIZE=100"]
        try await VerdictCases.withMilter(Self.cases.map { ($0, .reply($1)) }) { milter, select in
            try await Sendmail.with(milters: ["inet:\(milter.port)@127.0.0.1"]) { sendmail in
                for index in Self.cases.indices {
                    select(index)
                    let real = try await SMTPClient.session(
                        port: sendmail.smtpPort, messages: [message], throughRefusals: true)
                    let simulated = try await ProfileSession.run(
                        port: milter.port, configuration, senderArguments: ["SIZE=100"])
                    let label = "\(Self.cases[index])"
                    let result = try #require(real.results.first, "\(label)")
                    #expect(simulated.mail == (result.mail.code == 250 ? nil : Self.text(result.mail)), "\(label)")
                    if let rcpt = result.rcpts.first {
                        #expect(simulated.recipient == (rcpt.code == 250 ? nil : Self.text(rcpt)), "\(label)")
                    }
                    if Self.cases[index].0 != .mail, Self.cases[index].0 != .recipient {
                        #expect(simulated.message == Self.text(result.last), "\(label)")
                    }
                    #expect(simulated.ended == real.closedByServer, "\(label)")
                }
            }
        }
    }

    /// A reply as MilterClient writes one: every line with its code, CRLF between lines.
    static func text(_ reply: SMTPReply) -> String {
        reply.lines.enumerated().map { index, line in
            "\(reply.code)\(index == reply.lines.count - 1 ? " " : "-")\(line)"
        }.joined(separator: "\r\n")
    }
}
