import MilterProtocol
import NIOCore
import Testing

/// A REPLYCODE with bytes after its NUL. Postfix up to 3.11 reads the payload whole and uses it as a C string
/// (`milter8_event`, SMFIR_REPLYCODE); Sendmail's `MILTER_CHECK_REPLYCODE` swaps it for its own refusal
/// (`strlen(response) + 1 != rlen`). Neither fails the milter, so the decoder keeps the frame and its bytes.
@Suite struct ReplyCodeTrailingBytesTests {
    static let text = "550 5.7.1 no"

    /// The text keeps the bytes after the NUL; a payload without a final NUL keeps one added
    /// (``ReplyCode/lacksTerminator(_:)``), so that each frame encodes back as it came.
    @Test(arguments: [
        (Wire.frame(18, "y", Wire.text("550 5.7.1 no\0junk")), "550 5.7.1 no\0junk\0"),
        (Wire.frame(19, "y", Wire.text("550 5.7.1 no\0junk\0")), "550 5.7.1 no\0junk"),
    ])
    func theFrameIsKeptWithItsTrailingBytes(frame: [UInt8], text: String) throws {
        let replies = try decodeReplies(frame)
        let expected = MilterReply.replyCode(MilterString(bytes: Wire.text(text)))
        #expect(replies == [expected])
        #expect(try expected.encodedBytes == frame)
    }

    @Test func aPlainTextIsUnchanged() throws {
        let frame = Wire.frame(14, "y", Wire.text("550 5.7.1 no\0"))
        #expect(try decodeReplies(frame) == [.replyCode(MilterString(Self.text))])
        #expect(try MilterReply.replyCode(MilterString(Self.text)).encodedBytes == frame)
    }

    @Test func postfixTakesTheTextUpToTheNULWithAWarning() throws {
        let reply = MilterReply.replyCode(MilterString(bytes: Wire.text("550 5.7.1 no\0junk")))
        var driver = try MTADriver(rules: .postfix, answer: Fixtures.answerAll)
        try driver.step(.connect(Fixtures.connect))
        try driver.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(try driver.receive(reply) == .final(reply))
        let warning = try #require(driver.session.lastReplyWarning)
        #expect(warning.code == .invalidReplyCode)
        #expect(warning.detail?.contains("after the text's NUL") == true)
        #expect(!String(describing: warning).contains("junk"))
    }

    @Test func sendmailReplacesTheTextWithAWarning() throws {
        let reply = MilterReply.replyCode(MilterString(bytes: Wire.text("550 5.7.1 no\0junk")))
        var driver = try MTADriver(rules: .sendmail, answer: Fixtures.answerAll)
        try driver.step(.connect(Fixtures.connect))
        try driver.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(try driver.receive(reply) == .final(reply))
        let warning = try #require(driver.session.lastReplyWarning)
        #expect(warning.detail?.contains(ReplyCode.sendmailDefault(for: .mail)) == true)
    }

    @Test func aPlainTextGetsNoPostfixWarning() throws {
        let reply = MilterReply.replyCode(MilterString(Self.text))
        var driver = try MTADriver(rules: .postfix, answer: Fixtures.answerAll)
        try driver.step(.connect(Fixtures.connect))
        try driver.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(try driver.receive(reply) == .final(reply))
        #expect(driver.session.lastReplyWarning == nil)
    }
}
