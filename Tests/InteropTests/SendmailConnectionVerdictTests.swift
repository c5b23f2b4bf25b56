import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
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
        var configuration = MilterClientConfiguration(profile: .sendmail)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test")
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        try await VerdictCases.withMilter(Self.cases) { milter, select in
            try await Sendmail.with(milters: ["inet:\(milter.port)@127.0.0.1"]) { sendmail in
                for index in Self.cases.indices {
                    select(index)
                    let real = try await SMTPClient.session(port: sendmail.smtpPort, messages: [message])
                    let simulated = try await ProfileSession.run(port: milter.port, configuration)
                    let label = "\(Self.cases[index])"
                    VerdictCases.expect(simulated, matches: real, label)
                }
            }
        }
    }
}
