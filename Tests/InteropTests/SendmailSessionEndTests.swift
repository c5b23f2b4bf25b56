import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// The sessions of ``SessionEndCase`` through the real Sendmail and through MilterClient's Sendmail profile: the
/// milter gets the same events from both (Sendmail has no `helo_reset` ABORT: `MTAProfile/abortsWhenHeloIsReset`
/// is off).
@Suite("Sendmail and MilterClient at the end of a session")
struct SendmailSessionEndTests {
    @Test func sendmailAndTheProfileSendTheSameEvents() async throws {
        guard Interop.require(.sendmail) else { return }
        let cases = SessionEndCase.all
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        var configuration = MilterClientConfiguration(profile: .sendmail)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test")
        let verdicts = cases.map { $0.verdict ?? (.unknown, .reply(.continue)) }
        try await VerdictCases.withMilter(verdicts.map { ($0.step, $0.action) }) { milter, select in
            try await Sendmail.with(milters: ["inet:\(milter.port)@127.0.0.1"]) { sendmail in
                _ = try await milter.events {
                    try await SMTPClient.session(port: sendmail.smtpPort, steps: [], message: message)
                }
                for (index, session) in cases.enumerated() {
                    select(index)
                    let (replies, real) = try await milter.events {
                        try await SMTPClient.session(port: sendmail.smtpPort, steps: session.steps, message: message)
                    }
                    let (_, simulated) = try await milter.events {
                        try await ProfileSession.play(session.steps, port: milter.port, configuration)
                    }
                    let label = "\(session): \(replies)"
                    #expect(
                        SessionEndCase.collapsed(simulated) == SessionEndCase.collapsed(real), "\(label) \(simulated)")
                }
            }
        }
    }
}
