import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A REPLYCODE frame with bytes after its NUL reaches the SMTP client as each MTA hands it on: Postfix (up to
/// 3.11) sends the text up to the NUL, Sendmail its own refusal; both with a warning, neither failing the milter.
@Suite struct ReplyCodeTrailingBytesClientTests {
    /// `y` "550 5.7.1 no\0junk\0" as bytes.
    static let frame: [UInt8] = [0, 0, 0, 19, UInt8(ascii: "y")] + Array("550 5.7.1 no\0junk\0".utf8)

    @Test func postfixAndSendmailTakeIt() {
        let script = Scripts.wellBehaved(endOfMessage: [.raw(Self.frame)])
        let (postfix, _, _) = Fixtures.simulateRun(script)
        #expect(postfix.findings.map(\.code) == ["invalidReplyCode"])
        #expect(postfix.findings.map(\.severity) == [.warning])
        #expect(postfix.verdict == .reject)
        #expect(postfix.smtpReply == "550 5.7.1 no")
        let (sendmail, _, _) = Fixtures.simulateRun(script, configuration: Fixtures.configuration(profile: .sendmail))
        #expect(sendmail.findings.map(\.code) == ["invalidReplyCode"])
        #expect(sendmail.findings.map(\.severity) == [.warning])
        #expect(sendmail.verdict == .reject)
        #expect(sendmail.smtpReply == ReplyCode.sendmailDefault(for: .endOfMessage))
    }
}
