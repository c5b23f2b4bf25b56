import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Replies Postfix takes though the protocol does not allow them (`src/milter/milter8.c`,
/// `milter8_event`): the client does as Postfix does and reports a warning.
@Suite struct PostfixLenientReplyTests {
    /// The detail of the first finding's protocol error.
    static func detail(_ result: TransactionResult) -> String {
        guard case .protocolViolation(let error)? = result.findings.first?.kind else { return "" }
        return error.detail ?? ""
    }

    /// SKIP at a RCPT sets `skip_event_type`: the next RCPT is answered CONTINUE without being sent,
    /// its macros included, and DATA, of another type, goes.
    @Test func skipAtARecipientLeavesOutTheNextRecipients() async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { command in
                guard case .recipient(let rcpt) = command, rcpt.address.string.contains("bob") else { return nil }
                return [.reply(.skip)]
            })
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.allSatisfy { $0.severity == .warning && $0.step == .recipient })
        #expect(milter.eventIDs.filter { $0 == .recipient }.count == 1, "\(milter.eventIDs)")
        #expect(milter.macroPackets.filter { $0.stage == MilterCommand.ID.recipient.rawValue }.count == 1)
        #expect(milter.eventIDs.contains(.data) && milter.eventIDs.contains(.endOfMessage))
        #expect(result.resultingMessage?.recipients == ["<bob@example.net>", "<carol@example.net>"])
        #expect(result.steps.filter { $0.command == .recipient }.map(\.delivery) == [.awaited, .skipped])
    }

    /// SKIP at a header leaves out the rest of the headers, and only them: EOH, the body and end of
    /// message go (Postfix's cleanup server calls `milter8_event` for each).
    @Test func skipAtAHeaderLeavesOutTheNextHeaders() async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { command in
                guard case .header(let field) = command else { return nil }
                return field.name == "From" ? [.reply(.skip)] : nil
            })
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.first?.severity == .warning)
        #expect(milter.eventIDs.filter { $0 == .header }.count == 1, "\(milter.eventIDs)")
        #expect(milter.macroPackets.filter { $0.stage == MilterCommand.ID.header.rawValue }.count == 1)
        for id in [MilterCommand.ID.endOfHeaders, .body, .endOfMessage] { #expect(milter.eventIDs.contains(id)) }
        #expect(result.resultingMessage?.headerFields.map(\.name).contains("Subject") == true)
    }

    /// SKIP at MAIL or DATA ends no more than the step: the next event is of another type.
    @Test(arguments: [MilterCommand.ID.mail, .data, .endOfHeaders])
    func skipWhereNoSameEventFollowsIsContinue(step: MilterCommand.ID) async throws {
        let connection = Fixtures.simulate(Scripts.wellBehaved { $0.id == step ? [.reply(.skip)] : nil })
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.verdict == .accept && second.verdict == .accept)
        #expect(first.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(first.findings.first?.severity == .warning)
        let events = connection.milter.eventIDs
        #expect(events.filter { $0 == .recipient }.count == 4 && events.filter { $0 == .body }.count == 2)
        #expect(events.filter { $0 == .endOfMessage }.count == 2, "\(events)")
    }

    /// SKIP at end of message is the milter's default reply there: the message is accepted, unmodified
    /// by what came after, and the milter stays connected.
    @Test func skipAtEndOfMessageAcceptsTheMessage() async throws {
        let header = MilterReply.addHeader(HeaderField(name: "X-Added", value: "yes"))
        let connection = Fixtures.simulate(Scripts.wellBehaved(endOfMessage: [.reply(header), .reply(.skip)]))
        let result = connection.send(Fixtures.message)
        let next = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.first?.severity == .warning)
        #expect(Self.detail(result).contains("accepts the message"))
        #expect(result.resultingMessage?.headerFields.contains { $0.name == "X-Added" } == true)
        #expect(next.findings.map(\.code) == ["replyNotAllowedHere"], "the milter stays connected")
    }

    /// Postfix never checks that it offered SMFIP_SKIP: with version 4 (no SKIP in the offer) SKIP at
    /// a body chunk is taken, with a warning, and no more chunks go.
    @Test func skipNotOfferedIsTaken() async throws {
        var message = Fixtures.message
        message.body = Array(repeating: UInt8(ascii: "x"), count: 200_000)
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(answer: Scripts.answer(version: .v4)) { $0.id == .body ? [.reply(.skip)] : nil },
            configuration: Fixtures.configuration(version: .v4), message: message)
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["skipNotNegotiated"])
        #expect(result.findings.first?.severity == .warning)
        #expect(milter.eventIDs.filter { $0 == .body }.count == 1, "\(milter.eventIDs)")
    }

    /// `milter8_event` applies a modification without looking at the negotiated actions.
    @Test func unnegotiatedModificationIsApplied() async throws {
        let answer = Scripts.answer(actions: [.changeHeaders])
        let header = MilterReply.addHeader(HeaderField(name: "X-Added", value: "yes"))
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(answer: answer, endOfMessage: [.reply(header), .reply(.accept)]))
        #expect(result.verdict == .accept)
        #expect(result.findings.map(\.code) == ["modificationNotNegotiated"])
        #expect(result.findings.first?.severity == .warning)
        #expect(Self.detail(result).hasSuffix("Postfix honours it anyway"))
        #expect(result.resultingMessage?.headerFields.contains { $0.name == "X-Added" } == true)
    }

    /// Unlike Sendmail, Postfix has no exception for REPLBODY: the body is replaced and the message accepted.
    @Test func unnegotiatedBodyReplacementIsApplied() async throws {
        let answer = Scripts.answer(actions: [.addHeaders])
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(
                answer: answer, endOfMessage: [.reply(.replaceBody(ByteBuffer(string: "new\r\n"))), .reply(.accept)]))
        #expect(result.verdict == .accept && result.smtpReply == nil)
        #expect(result.findings.map(\.code) == ["modificationNotNegotiated"])
        #expect(result.findings.first?.severity == .warning)
        #expect(result.resultingMessage?.body == Array("new\r\n".utf8))
    }
}
