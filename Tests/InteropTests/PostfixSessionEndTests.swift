import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A REPLYCODE starting with 421 from MAIL on, from a scripted milter, through the real Postfix and through
/// MilterClient's Postfix profile: both give the step the text, and `smtpd_chat_reply` (`smtpd_chat.c`) sets
/// `SMTPD_FLAG_HANGUP` on any 421 it sends, so the session ends.
@Suite("Postfix and MilterClient on a 421 from MAIL on")
struct PostfixSessionEndTests {
    static let cases: [(MilterCommand.ID, MilterReply)] = [
        MilterCommand.ID.mail, .recipient, .data, .endOfHeaders, .endOfMessage,
    ].flatMap { step in [MilterReply.replyCode("421 4.7.0 bye"), .replyCode("550 5.7.1 no")].map { (step, $0) } }

    @Test func postfixAndTheProfileAgree() async throws {
        guard Interop.require(.postfix) else { return }
        let message = SMTPMessage(from: "a@example.com", to: ["b@example.org"], subject: "hi")
        try await VerdictCases.withMilter(Self.cases.map { ($0, .reply($1)) }) { milter, select in
            try await Postfix.with(milters: ["inet:127.0.0.1:\(milter.port)"]) { postfix in
                // The check that Postfix listens is a session of its own (OPTNEG, CONNECT, QUIT at the milter), at a
                // time of smtpd's choosing: two fresh-clone CI runs saw it inside the first case's events.
                try await milter.waitForQuits(1)
                for index in Self.cases.indices {
                    select(index)
                    let (real, realEvents) = try await milter.events {
                        try await SMTPClient.session(port: postfix.smtpPort, messages: [message], throughRefusals: true)
                    }
                    let (simulated, simulatedEvents) = try await milter.events {
                        try await ProfileSession.run(port: milter.port, MilterClientConfiguration(profile: .postfix))
                    }
                    let (step, _) = Self.cases[index]
                    let label = "\(Self.cases[index])"
                    let result = try #require(real.results.first, "\(label)")
                    #expect(
                        (step == .recipient ? simulated.recipient : simulated.message) == result.last.description,
                        "\(label)")
                    #expect(simulated.ended == real.closedByServer, "\(label)")
                    #expect(real.closedByServer == (result.last.code == 421), "\(label)")
                    guard real.closedByServer else { continue }
                    // What the milter got after the verdict: ABORT (mail_reset), ABORT (helo_reset: milter8.c keeps
                    // the milter in MILTER8_STAT_ENVELOPE after a REPLYCODE from MAIL on), then QUIT.
                    #expect(Self.after(step, realEvents) == [.abort, .abort, .quit], "\(label) \(realEvents)")
                    #expect(
                        Self.after(step, simulatedEvents) == Self.after(step, realEvents), "\(label) \(simulatedEvents)"
                    )
                }
            }
        }
    }

    /// The events after the first `step`, up to the session's QUIT.
    static func after(_ step: MilterCommand.ID, _ events: [MilterCommand.ID]) -> [MilterCommand.ID] {
        guard let index = events.firstIndex(of: step) else { return [] }
        let rest = events[(index + 1)...]
        guard let quit = rest.firstIndex(of: .quit) else { return Array(rest) }
        return Array(rest[...quit])
    }
}
