import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Each protocol violation the issue lists, sent by the scripted milter, becomes a typed finding
/// tied to its step, and the message gets Postfix's default action (tempfail).
@Suite(.timingSensitive) struct FindingTests {
    @Test func secondFinalReplyIsUnsolicited() async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.together([.replyCode("550 5.7.1 no"), .reject])]))
        let finding = try #require(result.findings.first)
        #expect(finding.code == "unsolicitedReply")
        #expect(finding.step == .endOfMessage)
        #expect(result.verdict == .reject)
    }

    @Test func replyToAbort() async throws {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0 == .abort ? [.reply(.continue)] : nil })
        let connection = Fixtures.open(milter)
        let result = connection.send(Fixtures.message)
        #expect(result.verdict == .accept)
        let finding = try #require(connection.listenForStrayReplies(for: .seconds(10)))
        #expect(finding.code == "replyToNoReplyCommand")
        #expect(finding.step == .abort)
        connection.quit()
    }

    @Test func replyToMacro() async throws {
        let answer = Scripts.answer(flags: [.noHelo])
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved(answer: answer) { command in
                if case .macro(let definition) = command, definition.stage == UInt8(ascii: "H") {
                    return [.reply(.continue)]
                }
                return nil
            })
        let connection = Fixtures.open(milter)
        let finding = try #require(connection.listenForStrayReplies(for: .seconds(10)))
        #expect(finding.code == "replyToNoReplyCommand")
        let result = connection.send(Fixtures.message)
        #expect(result.verdict == .tempfail)
        #expect(result.smtpReply == MTAProfile.postfix.replies.communicationError)
        connection.quit()
    }

    @Test func replyDespiteNoReply() async throws {
        let answer = Scripts.answer(flags: [.noReplyConnect])
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved(answer: answer) { $0.id == .connect ? [.reply(.continue)] : nil })
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration())
        let record = connection.connect()
        #expect(record.delivery == .sentWithoutReply)
        let finding = try #require(connection.listenForStrayReplies(for: .seconds(10)))
        #expect(finding.code == "replyDespiteNoReply")
        #expect(finding.step == .connect)
        connection.quit()
    }

    @Test(arguments: [
        (MilterCommand.ID.mail, MilterReply.addHeader(HeaderField(name: "X-A", value: "1"))),
        (.recipient, .addRecipient("<eve@example.com>")),
        (.endOfHeaders, .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "Subject", value: "x")))),
    ])
    func modificationBeforeEndOfMessage(step: MilterCommand.ID, modification: MilterReply) async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { $0.id == step ? [.reply(modification), .reply(.continue)] : nil })
        let finding = try #require(result.findings.first)
        #expect(finding.code == "modificationBeforeEndOfMessage")
        #expect(finding.step == step)
        #expect(result.verdict == .tempfail)
        #expect(result.resultingMessage == nil)
        #expect(!milter.eventIDs.contains(.endOfMessage))
    }

    @Test(arguments: [
        MilterReply.addHeader(HeaderField(name: "", value: "secret-value")),
        .addHeader(HeaderField(name: "X:Y", value: "secret-value")),
        .insertHeader(IndexedHeaderField(index: 0, field: HeaderField(name: "X Y", value: "secret-value"))),
        .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "", value: "secret-value"))),
        .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "X\u{1}", value: ""))),
    ])
    func headerEditWithABadNameIsAFinding(edit: MilterReply) async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.reply(edit), .reply(.accept)]))
        let finding = try #require(result.findings.first)
        #expect(result.findings.map(\.code) == ["invalidHeaderName"])
        #expect(finding.step == .endOfMessage)
        #expect(result.verdict == .tempfail)
        #expect(result.resultingMessage == nil)
        #expect(!finding.description.contains("secret") && !finding.description.contains("X Y"), "\(finding)")
        #expect(finding.description.contains("\(edit.id)"), "\(finding)")
    }

    @Test func unknownReplyByte() async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { $0.id == .mail ? [.raw([0, 0, 0, 1, UInt8(ascii: "Z")])] : nil })
        #expect(result.findings.map(\.code) == ["unknownReply"])
        #expect(result.findings.first?.step == .mail)
        #expect(result.verdict == .tempfail)
    }

    /// Postfix 3.7's `milter8_event` refuses these (the SMFIR_REPLYCODE case checks the first five bytes); "550 4
    /// items" has no enhanced code, but Postfix reads its digit as one of another class.
    @Test(arguments: ["550", "250 2.0.0 ok", "550 4.7.1 class mismatch", "550 4 items left"])
    func badReplyCode(text: String) async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.reply(.replyCode(MilterString(text)))]))
        #expect(result.findings.map(\.code) == ["invalidReplyCode"])
        #expect(result.verdict == .tempfail)
        #expect(result.smtpReply == MTAProfile.postfix.replies.configurationError)
    }

    /// Postfix 3.7 checks nothing past the start: a single `%` (dropped, as `milter8_event` drops it), a last line
    /// marked as continued, or a second line with another code go to the client as the milter wrote them.
    /// Sendmail's profile checks every line, as libmilter's `smfi_setmlreply` builds them: a text that breaks
    /// that check is a warning, and the SMTP client gets it as it is if Sendmail's `MILTER_CHECK_REPLYCODE`
    /// takes it, or Sendmail's own refusal if not (a single `%`).
    @Test(arguments: [
        ("550 5.7.1 100% sure", "550 5.7.1 100 sure"), ("550-5.7.1 only line", "550-5.7.1 only line"),
        ("550-5.7.1 a\r\n451 4.7.1 b", "550-5.7.1 a\r\n451 4.7.1 b"),
    ])
    func replyCodePostfixTakesButSendmailWarns(text: String, reply: String) async throws {
        let script = Scripts.wellBehaved(endOfMessage: [.reply(.replyCode(MilterString(text)))])
        let (postfix, _, _) = Fixtures.simulateRun(script)
        #expect(postfix.findings.isEmpty, "\(postfix.findings)")
        #expect(postfix.verdict == .reject)
        #expect(postfix.smtpReply == reply)
        let (sendmail, _, _) = Fixtures.simulateRun(script, configuration: Fixtures.configuration(profile: .sendmail))
        #expect(sendmail.findings.map(\.code) == ["invalidReplyCode"])
        #expect(sendmail.findings.map(\.severity) == [.warning])
        #expect(sendmail.verdict == .reject)
        let sendmailTakes = ReplyCode.sendmailAccepts(MilterString(text))
        #expect(sendmail.smtpReply == (sendmailTakes ? text : ReplyCode.sendmailDefault(for: .endOfMessage)))
    }

    @Test func oversizedFrameIsRefusedBeforeBuffering() async throws {
        // A length of 16 MiB: the decoder refuses it from the four length bytes alone.
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { $0.id == .recipient ? [.raw([0x01, 0x00, 0x00, 0x00, UInt8(ascii: "y")])] : nil })
        #expect(result.findings.map(\.code) == ["frameTooLarge"])
        #expect(result.findings.first?.step == .recipient)
    }

    @Test func timeout() async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: []),
            configuration: Fixtures.configuration(endOfMessage: .milliseconds(200)))
        #expect(result.findings.map(\.code) == ["timeout"])
        #expect(result.findings.first?.step == .endOfMessage)
        #expect(result.verdict == .tempfail)
    }

    @Test func endOfFile() async throws {
        let (result, _, _) = Fixtures.simulateRun(Scripts.wellBehaved { $0.id == .endOfHeaders ? [.close] : nil })
        #expect(result.findings.map(\.code) == ["eof"])
        #expect(result.findings.first?.step == .endOfHeaders)
        #expect(result.verdict == .tempfail)
    }

    /// Postfix offers SMFIP_SKIP; a milter that did not echo it (libmilter without a negotiate
    /// callback) may still answer SKIP, and the message goes on to end of message.
    @Test func skipOfferedButNotEchoedIsHonoured() async throws {
        let (result, _, _) = Fixtures.simulateRun(Scripts.wellBehaved { $0.id == .body ? [.reply(.skip)] : nil })
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(result.verdict == .accept)
    }

    @Test func progressResetsTheTimeout() async throws {
        // Each pause is well inside the timeout (room for a busy machine); together they exceed it.
        let slow: [ScriptedMilter.Action] = [
            .pause(.milliseconds(400)), .reply(.progress), .pause(.milliseconds(400)), .reply(.progress),
            .pause(.milliseconds(400)), .reply(.progress), .pause(.milliseconds(400)), .reply(.accept),
        ]
        let (result, _, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: slow),
            configuration: Fixtures.configuration(endOfMessage: .milliseconds(1_200)))
        #expect(result.findings.isEmpty)
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
    }

    @Test func afterAFindingNothingMoreIsSent() async throws {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == .mail ? [.reply(.addRecipient("<x@y>")), .reply(.continue)] : nil })
        let connection = Fixtures.open(milter)
        let first = connection.send(Fixtures.message)
        let second = connection.send(Fixtures.message)
        connection.quit()
        #expect(first.findings.count == 1)
        #expect(second.findings.isEmpty)
        #expect(second.verdict == .tempfail)
        #expect(second.steps.allSatisfy { $0.delivery == .notSent })
        #expect(milter.eventIDs.filter { $0 == .mail }.count == 1)
        #expect(!milter.eventIDs.contains(.quit))
    }
}
