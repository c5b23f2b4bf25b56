import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A REPLYCODE frame with no NUL at the end of its payload reaches the SMTP client as each MTA hands it on
/// (see ReplyCodeUnterminatedTests): Postfix sends its bytes, Sendmail its own refusal for the step; both
/// with a warning, neither failing the milter. The Sendmail replies are those Sendmail 8.17.1.9 gave.
@Suite struct ReplyCodeUnterminatedClientTests {
    /// `y` with `text` as its whole payload, no NUL.
    static func frame(_ text: String) -> [UInt8] {
        [0, 0, 0, UInt8(text.utf8.count + 1), UInt8(ascii: "y")] + Array(text.utf8)
    }

    static let sendmail = Fixtures.configuration(profile: .sendmail)

    @Test func postfixSendsTheBytesAtEndOfMessage() {
        let (result, _, _) = Fixtures.simulateRun(Scripts.wellBehaved(endOfMessage: [.raw(Self.frame("550 5.7.1 no"))]))
        #expect(result.findings.map(\.code) == ["invalidReplyCode"])
        #expect(result.findings.map(\.severity) == [.warning])
        #expect(result.verdict == .reject && result.smtpReply == "550 5.7.1 no")
    }

    @Test func sendmailSendsItsOwnRefusalAtEndOfMessage() {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.raw(Self.frame("550 5.7.1 no"))]), configuration: Self.sendmail)
        #expect(result.findings.map(\.code) == ["invalidReplyCode"])
        #expect(result.findings.map(\.severity) == [.warning])
        #expect(result.verdict == .reject && result.smtpReply == ReplyCode.sendmailDefault(for: .endOfMessage))
    }

    /// HELO: the default `550 Command rejected`, through `usrerr`; CONNECT: the default `554 Command rejected`,
    /// so REJECT and its greeting.
    @Test(arguments: [
        (MilterCommand.ID.helo, "550 5.7.1 no", nil as String?),
        (.connect, "451 4.7.1 no", "554 mx.example.test ESMTP not accepting messages"),
    ])
    func sendmailRejectsAtConnectAndHelo(step: MilterCommand.ID, text: String, greeting: String?) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == step ? [.raw(Self.frame(text))] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Self.sendmail)
        let connect = connection.connect()
        let helo = connection.helo()
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(connect.smtpReply == greeting && helo.smtpReply == nil)
        #expect(result.smtpReply == "550 5.0.0 Command rejected")
        #expect(connection.connectionFindings.map(\.severity) == [.warning])
        #expect(connection.connectionFindings.first?.description.contains("no NUL at the end") == true)
    }

    /// An empty payload: Postfix finds no reply code in it (`milter8_conf_error`).
    @Test func postfixFailsTheMilterOnAnEmptyPayload() {
        let (result, _, _) = Fixtures.simulateRun(Scripts.wellBehaved(endOfMessage: [.raw(Self.frame(""))]))
        #expect(result.findings.map(\.code) == ["invalidReplyCode"])
        #expect(result.findings.map(\.severity) == [.error])
        #expect(result.smtpReply == MTAProfile.postfix.replies.configurationError)
    }
}
