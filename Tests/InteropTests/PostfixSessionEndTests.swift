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
                for index in Self.cases.indices {
                    select(index)
                    let (real, realEvents) = try await Self.events(of: milter) {
                        try await SMTPClient.session(port: postfix.smtpPort, messages: [message], throughRefusals: true)
                    }
                    let (simulated, simulatedEvents) = try await Self.events(of: milter) {
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
                    // What the milter got after the verdict: ABORT (mail_reset), then QUIT. At the end of any session
                    // after HELO, Postfix's helo_reset sends one more ABORT before QUIT, which the profile does not
                    // play (after a 421 or otherwise).
                    #expect(Self.after(step, realEvents) == [.abort, .abort, .quit], "\(label) \(realEvents)")
                    #expect(Self.after(step, simulatedEvents) == [.abort, .quit], "\(label) \(simulatedEvents)")
                }
            }
        }
    }

    /// `body`'s result and the events the milter got meanwhile, waiting up to two seconds for the last to be QUIT
    /// (Postfix's reaches the milter after the SMTP session).
    static func events<T>(
        of milter: ScriptedMilter, _ body: () async throws -> T
    ) async throws -> (T, [MilterCommand.ID]) {
        let before = milter.eventIDs.count
        let value = try await body()
        for _ in 0..<20 where milter.eventIDs.last != .quit { try await Task.sleep(for: .milliseconds(100)) }
        return (value, Array(milter.eventIDs.dropFirst(before)))
    }

    /// The events after the first `step`.
    static func after(_ step: MilterCommand.ID, _ events: [MilterCommand.ID]) -> [MilterCommand.ID] {
        guard let index = events.firstIndex(of: step) else { return [] }
        return Array(events[(index + 1)...])
    }
}
