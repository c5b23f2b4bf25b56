import MilterProtocol
import NIOCore
import Testing

/// A REPLYCODE whose payload has no NUL at its end. Both MTAs take the frame: Postfix's `milter8_event` reads
/// the REPLYCODE payload with `MILTER8_DATA_BUFFER`, which needs no terminator (`milter8_read_data`; 3.7.21 and
/// the current snapshots NUL-terminate it, earlier releases read on into stale bytes of the buffer), and uses
/// the bytes as the text; Sendmail's `milter_read` keeps the `rlen` bytes read and `MILTER_CHECK_REPLYCODE`
/// (`strlen(response) + 1 != rlen`) replaces the text with the command's default refusal, as Sendmail 8.17.1.9
/// did in a run against a script milter (554 greeting at CONNECT, `550 5.0.0 Command rejected` after HELO,
/// `550 5.7.1 … Command rejected` at MAIL). So the decoder keeps the frame, byte for byte.
@Suite struct ReplyCodeUnterminatedTests {
    /// Payloads and the text each decodes to: the payload without its final NUL, one NUL added where there was
    /// none, and a payload ending in several NULs as it is.
    @Test(arguments: [
        ("550 5.7.1 no", "550 5.7.1 no\0"), ("550 5.7.1 no\0", "550 5.7.1 no"), ("", "\0"), ("\0", ""),
        ("550 5.7.1 no\0\0", "550 5.7.1 no\0\0"), ("\0\0\0", "\0\0\0"), ("a\0b", "a\0b\0"),
    ])
    func everyPayloadRoundTripsExactly(payload: String, text: String) throws {
        let frame = Wire.frame(UInt32(payload.utf8.count + 1), "y", Wire.text(payload))
        let reply = MilterReply.replyCode(MilterString(text))
        #expect(try decodeReplies(frame) == [reply])
        #expect(try reply.encodedBytes == frame)
        #expect(ReplyCode.lacksTerminator(MilterString(text)) == !payload.hasSuffix("\0"))
    }

    static let unterminated = MilterReply.replyCode(MilterString("550 5.7.1 no\0"))

    @Test func postfixTakesTheBytesWithAWarning() throws {
        var driver = try MTADriver(rules: .postfix, answer: Fixtures.answerAll)
        try driver.step(.connect(Fixtures.connect))
        try driver.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(try driver.receive(Self.unterminated) == .final(Self.unterminated))
        let warning = try #require(driver.session.lastReplyWarning)
        #expect(warning.code == .invalidReplyCode)
        #expect(warning.detail?.contains("no NUL at the end of the payload: Postfix takes its bytes") == true)
    }

    @Test func sendmailReplacesTheTextWithAWarning() throws {
        var driver = try MTADriver(rules: .sendmail, answer: Fixtures.answerAll)
        try driver.step(.connect(Fixtures.connect))
        try driver.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(try driver.receive(Self.unterminated) == .final(Self.unterminated))
        let warning = try #require(driver.session.lastReplyWarning)
        #expect(warning.detail?.hasPrefix("no NUL at the end of the payload") == true)
        #expect(warning.detail?.contains(ReplyCode.sendmailDefault(for: .mail)) == true)
    }
}
