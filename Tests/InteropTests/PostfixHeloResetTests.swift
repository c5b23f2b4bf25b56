import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// The end of an SMTP session as the milter sees it, from the real Postfix and from MilterClient's Postfix profile,
/// case by case (``SessionEndCase``): the same events, among them the ABORT of `helo_reset` (`smtpd.c`) before QUIT
/// and after a second EHLO, and none after a verdict at CONNECT or HELO.
@Suite("Postfix and MilterClient at the end of a session")
struct PostfixHeloResetTests {
    @Test func postfixAndTheProfileSendTheSameEvents() async throws {
        guard Interop.require(.postfix) else { return }
        let cases = SessionEndCase.all
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        // UNKNOWN never goes in these sessions: a case without a verdict continues everything.
        let verdicts = cases.map { $0.verdict ?? (.unknown, .reply(.continue)) }
        try await VerdictCases.withMilter(verdicts.map { ($0.step, $0.action) }) { milter, select in
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                // The check that Postfix listens made an SMTP session of its own (OPTNEG, CONNECT, QUIT at the
                // milter) at a time of smtpd's choosing: both it and this first session are over before the cases.
                _ = try await milter.events {
                    try await SMTPClient.session(port: postfix.smtpPort, steps: [], message: message)
                }
                try await milter.waitForQuits(2)
                for (index, session) in cases.enumerated() {
                    select(index)
                    let (replies, real) = try await milter.events {
                        try await SMTPClient.session(port: postfix.smtpPort, steps: session.steps, message: message)
                    }
                    let (_, simulated) = try await milter.events {
                        try await ProfileSession.play(
                            session.steps, port: milter.port, MilterClientConfiguration(profile: .postfix))
                    }
                    let label = "\(session): \(replies)"
                    #expect(SessionEndCase.collapsed(real) == session.events, "\(label) \(real)")
                    #expect(
                        SessionEndCase.collapsed(simulated) == SessionEndCase.collapsed(real), "\(label) \(simulated)")
                }
            }
        }
    }
}
