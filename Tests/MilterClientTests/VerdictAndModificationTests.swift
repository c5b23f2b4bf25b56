import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Verdicts as Postfix reports them, and modifications applied as Postfix's cleanup applies them.
@Suite struct VerdictAndModificationTests {
    @Test(
        arguments: [
            ([MilterReply.accept], Disposition.accept, nil),
            ([.continue], .accept, nil),
            ([.reject], .reject, "550 5.7.1 Command rejected"),
            ([.tempfail], .tempfail, "451 4.7.1 Service unavailable - try again later"),
            ([.discard], .discard, nil),
            ([.replyCode("554 5.7.1 spam, 100%% sure")], .reject, "554 5.7.1 spam, 100% sure"),
            ([.replyCode("452 4.3.1 full")], .tempfail, "452 4.3.1 full"),
            ([.quarantine("looks odd"), .accept], .quarantine, nil),
            ([.shutdown], .tempfail, "421 4.7.0 Server closing connection"),
        ] as [([MilterReply], Disposition, String?)])
    func verdicts(replies: [MilterReply], verdict: Disposition, reply: String?) async throws {
        let (result, _, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: replies.map { .reply($0) }))
        #expect(findings.isEmpty)
        #expect(result.verdict == verdict)
        #expect(result.smtpReply == reply)
        if verdict == .quarantine { #expect(result.quarantineReason == "looks odd") }
    }

    @Test func headerEditsFollowPostfixIndexes() async throws {
        let edits: [MilterReply] = [
            .insertHeader(IndexedHeaderField(index: 0, field: HeaderField(name: "X-Top", value: "above Received"))),
            .insertHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "X-Second", value: "below X-Top"))),
            .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "Subject", value: "Changed"))),
            .changeHeader(IndexedHeaderField(index: 0, field: HeaderField(name: "To", value: ""))),
            .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "Received", value: "not ours"))),
            .addHeader(HeaderField(name: "X-Folded", value: "a\n\tb")),
        ]
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: edits.map { .reply($0) } + [.reply(.accept)]))
        let message = try #require(result.resultingMessage)
        #expect(result.modifications == edits)
        let names = message.headerFields.map(\.name)
        // Insert indexes count every header present, ours included: index 1 lands after X-Top.
        // CHGHEADER Received #1 finds no visible Received header (ours is hidden), so it appends.
        #expect(names == ["X-Top", "X-Second", "Received", "From", "Subject", "X-Empty", "Received", "X-Folded"])
        #expect(message.headerFields[4].value == " Changed")
        let text = String(decoding: message.rendered, as: UTF8.self)
        #expect(text.contains("X-Folded: a\r\n\tb\r\n"))
        #expect(text.hasSuffix("\r\n\r\nline one\r\nline two\r\n"))
    }

    @Test func envelopeAndBodyEdits() async throws {
        let edits: [MilterReply] = [
            .addRecipient("<dave@example.com>"),
            .deleteRecipient("<bob@example.net>"),
            .addRecipientWithArguments(EnvelopeChange(address: "<erin@example.com>", arguments: "NOTIFY=NEVER")),
            .changeSender(EnvelopeChange(address: "<bounce@example.org>", arguments: "RET=HDRS")),
            .replaceBody(ByteBuffer(string: "new\r\nbo")),
            .replaceBody(ByteBuffer(string: "dy\nend")),
        ]
        let (result, _, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: edits.map { .reply($0) } + [.reply(.continue)]))
        #expect(findings.isEmpty)
        let message = try #require(result.resultingMessage)
        #expect(message.recipients == ["<carol@example.net>", "<dave@example.com>", "<erin@example.com>"])
        #expect(message.sender == "<bounce@example.org>")
        #expect(message.senderArguments == "RET=HDRS")
        #expect(message.body == Array("new\r\nbody\r\nend\r\n".utf8))
    }

    @Test func replaceBodyInterleavedIsAFinding() async throws {
        let edits: [ScriptedMilter.Action] = [
            .reply(.replaceBody(ByteBuffer(string: "a"))), .reply(.addHeader(HeaderField(name: "X", value: "y"))),
            .reply(.replaceBody(ByteBuffer(string: "b"))), .reply(.accept),
        ]
        let (result, _, _) = Fixtures.simulateRun(Scripts.wellBehaved(endOfMessage: edits))
        #expect(result.findings.map(\.code) == ["replaceBodyInterleaved"])
        #expect(result.smtpReply == MTAProfile.postfix.replies.configurationError)
    }

    @Test func leadingSpaceIsNotAddedWhenNegotiated() async throws {
        let answer = Scripts.answer(flags: [.headerLeadingSpace])
        let add = MilterReply.addHeader(HeaderField(name: "X-Raw", value: "as-is"))
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(answer: answer, endOfMessage: [.reply(add), .reply(.accept)]))
        #expect(result.resultingMessage?.headerFields.last?.value == "as-is")
    }
}
