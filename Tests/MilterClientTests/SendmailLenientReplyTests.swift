import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Replies Sendmail takes though the protocol does not allow them (`sendmail/milter.c`): the client
/// does as Sendmail does and reports a warning (Postfix's are in ``PostfixLenientReplyTests``).
@Suite struct SendmailLenientReplyTests {
    static let sendmail = Fixtures.configuration(profile: .sendmail)

    /// `milter_send_command` leaves the command at CONTINUE and puts the milter in `SMFS_SKIP`, which
    /// `milter_command` and `milter_data` pass over: the message goes unfiltered, and so does the next.
    @Test(arguments: [MilterCommand.ID.mail, .recipient, .data])
    func skipBeforeTheContentLeavesTheMilterOut(step: MilterCommand.ID) async throws {
        let connection = Fixtures.simulate(
            Scripts.wellBehaved { $0.id == step ? [.reply(.skip)] : nil }, configuration: Self.sendmail)
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.verdict == .accept && second.verdict == .accept)
        let finding = try #require(first.findings.first)
        #expect(first.findings.map(\.code) == ["replyNotAllowedHere"] && finding.severity == .warning)
        #expect(finding.step == step)
        #expect(second.findings.isEmpty)
        let events = connection.milter.eventIDs
        let skipped = try #require(events.firstIndex(of: step))
        #expect(Array(events[(skipped + 1)...]) == [.quit], "\(events)")
    }

    /// `milter_headers` goes on sending headers after SKIP at one, `milter_data` sends EOH, and
    /// `milter_body` sends no chunk to a milter in `SMFS_SKIP`; end of message goes.
    @Test(arguments: [MilterCommand.ID.header, .endOfHeaders])
    func skipAtTheHeadersSkipsTheBody(step: MilterCommand.ID) async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { command in
                if case .header(let field) = command, step == .header {
                    return field.name == "From" ? [.reply(.skip)] : nil
                }
                return command.id == step ? [.reply(.skip)] : nil
            }, configuration: Self.sendmail)
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.allSatisfy { $0.severity == .warning && $0.step == step })
        #expect(milter.eventIDs.filter { $0 == .header }.count == 4)
        #expect(milter.eventIDs.contains(.endOfHeaders) && milter.eventIDs.contains(.endOfMessage))
        #expect(!milter.eventIDs.contains(.body), "\(milter.eventIDs)")
    }

    /// SKIP at end of message stays a failure: `milter_data` has no case for it there.
    @Test func skipAtEndOfMessageFails() async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.reply(.skip)]), configuration: Self.sendmail)
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.first?.severity == .error)
        #expect(result.verdict == .tempfail)
    }

    /// Sendmail's `MILTER_CHECK_REPLYCODE` replaces a text it cannot use with its own refusal, silently;
    /// it sends one it can use as it is, whatever else is wrong with it.
    @Test(arguments: [
        ("250 2.0.0 ok", "554 5.7.1 Command rejected"), ("550 5.7.1 100% sure", "554 5.7.1 Command rejected"),
        ("hello", "554 5.7.1 Command rejected"), ("550", "550"),
        ("450 5.7.1 class mismatch", "450 5.7.1 class mismatch"),
    ])
    func replyCodeAtEndOfMessage(text: String, reply: String) async throws {
        let connection = Fixtures.simulate(
            Scripts.wellBehaved(endOfMessage: [.reply(.replyCode(MilterString(text)))]), configuration: Self.sendmail)
        let result = connection.send(Fixtures.message)
        let next = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.smtpReply == reply)
        #expect(result.verdict == (reply.hasPrefix("5") ? .reject : .tempfail))
        #expect(result.findings.map(\.code) == ["invalidReplyCode"])
        #expect(result.findings.first?.severity == .warning)
        #expect(next.findings.map(\.code) == ["invalidReplyCode"], "the milter stays connected")
    }

    @Test func badReplyCodeRefusesTheRecipientWithSendmailsText() async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { command in
                guard case .recipient(let rcpt) = command, rcpt.address.string.contains("bob") else { return nil }
                return [.reply(.replyCode("no code"))]
            }, configuration: Self.sendmail)
        #expect(result.verdict == .accept)
        // usrerr writes the recipient being parsed into a 550.
        #expect(result.rejectedRecipients.map(\.reply) == ["550 5.7.1 <bob@example.net>... Command rejected"])
        #expect(result.resultingMessage?.recipients == ["<carol@example.net>"])
        #expect(result.findings.map(\.code) == ["invalidReplyCode"])
    }

    /// `milter_data`: "lied about adding headers, honoring request anyway".
    @Test func unnegotiatedModificationIsHonoured() async throws {
        let answer = Scripts.answer(actions: [.changeHeaders])
        let header = MilterReply.addHeader(HeaderField(name: "X-Added", value: "yes"))
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(answer: answer, endOfMessage: [.reply(header), .reply(.accept)]),
            configuration: Self.sendmail)
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["modificationNotNegotiated"])
        #expect(result.findings.first?.severity == .warning)
        let fields = try #require(result.resultingMessage?.headerFields)
        #expect(fields.contains { $0.name == "X-Added" })
    }

    /// `milter_data`: "lied about replacing body, rejecting request and tempfailing message"; the
    /// milter stays connected and reads on to its final reply.
    @Test func unnegotiatedBodyReplacementTempfailsTheMessage() async throws {
        let answer = Scripts.answer(actions: [.addHeaders])
        let connection = Fixtures.simulate(
            Scripts.wellBehaved(
                answer: answer, endOfMessage: [.reply(.replaceBody(ByteBuffer(string: "x"))), .reply(.accept)]),
            configuration: Self.sendmail)
        let result = connection.send(Fixtures.message)
        let next = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.verdict == .tempfail && result.resultingMessage == nil)
        #expect(result.smtpReply == MTAProfile.sendmail.replies.tempfail)
        #expect(result.findings.map(\.code) == ["modificationNotNegotiated"])
        #expect(result.findings.first?.severity == .warning)
        #expect(next.steps.last?.command == .endOfMessage && next.steps.last?.delivery == .awaited)
    }
}
