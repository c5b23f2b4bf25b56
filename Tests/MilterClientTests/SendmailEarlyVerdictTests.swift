import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

/// Sendmail after a verdict before end of message (`sendmail/milter.c`): ABORT goes only to a milter still
/// in the message (`milter_abort_filter` writes only in `SMFS_INMSG`), and the next message's MAIL goes
/// either way (`milter_envfrom` resets a milter done with the message).
@Suite struct SendmailEarlyVerdictTests {
    /// Whether Sendmail sends ABORT after `verdict` at `step`: CONTINUE to MAIL puts the milter in the
    /// message, ACCEPT anywhere and any verdict on the content (`milter_data`) take it out, a refused
    /// MAIL never put it in.
    static func abortFollows(_ verdict: MilterReply, at step: MilterCommand.ID) -> Bool {
        switch step {
        case .recipient, .data: verdict != .accept
        default: false
        }
    }

    /// A well-behaved milter that answers `verdict` to every `step` of the connection's first message only.
    static func firstMessage(
        _ verdict: MilterReply, at step: MilterCommand.ID, answer: MilterReply = Scripts.answer()
    )
        -> ScriptedMilter.Script
    {
        let mails = NIOLockedValueBox(0)
        return Scripts.wellBehaved(answer: answer) { command in
            if command.id == .mail { mails.withLockedValue { $0 += 1 } }
            guard command.id == step, mails.withLockedValue({ $0 }) == 1 else { return nil }
            return [.reply(verdict)]
        }
    }

    static let cases: [(MilterCommand.ID, MilterReply)] = [
        MilterCommand.ID.mail, .recipient, .data, .header,
        .endOfHeaders, .body,
    ].flatMap { step in [MilterReply.accept, .reject, .discard].map { (step, $0) } }

    @Test(arguments: cases)
    func theNextMessageGoesAfterAnEarlyVerdict(step: MilterCommand.ID, verdict: MilterReply) async throws {
        let script = Self.firstMessage(verdict, at: step)
        let connection = Fixtures.simulate(script, configuration: Fixtures.configuration(profile: .sendmail))
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.findings.isEmpty && second.findings.isEmpty)
        #expect(second.verdict == .accept, "\(second.steps.map { "\($0.command) \($0.delivery)" })")
        #expect(second.steps.allSatisfy { $0.refusal == nil })
        let events = connection.milter.eventIDs
        let mails = events.indices.filter { events[$0] == .mail }
        try #require(mails.count == 2, "\(events)")
        let between = events[mails[0]..<mails[1]]
        #expect(between.contains(.abort) == Self.abortFollows(verdict, at: step), "\(events)")
        #expect(!between.contains(.endOfMessage))
        #expect(events.suffix(2) == [.endOfMessage, .quit])
    }

    /// Postfix unchanged: ABORT after every transaction, early verdict or not.
    @Test(arguments: [MilterReply.accept, .reject])
    func postfixAbortsAfterAnEarlyVerdict(verdict: MilterReply) async throws {
        let connection = Fixtures.simulate(
            Scripts.wellBehaved { $0.id == .endOfHeaders ? [.reply(verdict)] : nil })
        _ = connection.send(Fixtures.message)
        _ = connection.send(Fixtures.message)
        connection.quit()
        let transaction: [MilterCommand.ID] = [
            .mail, .recipient, .recipient, .data, .header, .header, .header, .header, .endOfHeaders, .abort,
        ]
        #expect(
            connection.milter.eventIDs == [.optionNegotiation, .connect, .helo] + transaction + transaction + [.quit])
    }
}
