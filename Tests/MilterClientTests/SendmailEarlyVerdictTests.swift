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

    /// Only CONTINUE to MAIL puts the milter in the message (`milter_send_command`): one that negotiated
    /// MAIL away (NOMAIL) or takes it without reply (NR_MAIL) gets no ABORT when DATA is refused.
    @Test(arguments: [MilterProtocolFlags(), .noMail, .noReplyMail])
    func noAbortToAMilterThatDidNotAnswerMail(flags: MilterProtocolFlags) async throws {
        // The first DATA is refused; a milter with NOMAIL sees no MAIL to count messages by.
        let datas = NIOLockedValueBox(0)
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: flags)) { command in
            guard command.id == .data else { return nil }
            return datas.withLockedValue {
                $0 += 1; return $0
            } == 1 ? [.reply(.reject)] : nil
        }
        let connection = Fixtures.simulate(script, configuration: Fixtures.configuration(profile: .sendmail))
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.verdict == .reject && second.verdict == .accept)
        #expect(first.findings.isEmpty && second.findings.isEmpty)
        #expect(connection.milter.eventIDs.contains(.abort) == flags.isEmpty, "\(connection.milter.eventIDs)")
    }

    /// The caller's ABORT between transactions: Sendmail has no milter in a message to send it to
    /// (`milter_abort`), so it does not go, and the result says so.
    @Test func noAbortBetweenTransactions() async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = Fixtures.open(milter, configuration: Fixtures.configuration(profile: .sendmail))
        let aborted = connection.abort()
        let next = connection.send(Fixtures.message)
        connection.quit()
        #expect(aborted.steps.map(\.command) == [.abort] && aborted.steps.first?.delivery == .notSent)
        #expect(!milter.eventIDs.contains(.abort))
        #expect(next.verdict == .accept && next.findings.isEmpty)
    }

    /// Postfix unchanged: the caller's ABORT goes between transactions too.
    @Test func postfixAbortsBetweenTransactions() async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = Fixtures.open(milter)
        let aborted = connection.abort()
        connection.quit()
        #expect(aborted.steps.map(\.command) == [.abort] && aborted.steps.first?.delivery == .sentWithoutReply)
        #expect(milter.eventIDs.suffix(2) == [.abort, .quit])
    }

    /// Postfix unchanged: ABORT after every transaction, early verdict or not (and `helo_reset`'s before QUIT).
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
            connection.milter.eventIDs == [.optionNegotiation, .connect, .helo] + transaction + transaction + [
                .abort, .quit,
            ])
    }
}
