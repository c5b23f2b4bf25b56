import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// REPLYCODE at CONNECT. Sendmail's `milter_connect` (built without `_FFR_MILTER_CONNECT_REPLYCODE`, as by
/// default) drops the text and keeps the verdict it reflects, which `srvrsmtp.c` then plays; Postfix's
/// `milter8_event` hands the text itself to the SMTP client.
@Suite struct SendmailConnectReplyCodeTests {
    static let replies = MTAProfile.sendmail.replies
    static let shutdown = "421 4.7.0 \(MTAIdentity().hostname) closing connection"

    @Test(arguments: [
        ("421 4.7.0 going down", shutdown), ("450 4.7.1 not now", replies.tempfail),
        ("550 5.7.1 go away", replies.connectionReject), ("451 100% busy", replies.connectionReject),
        ("4", replies.connectionReject),
    ])
    func sendmailKeepsOnlyTheVerdict(text: String, reply: String) {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == .connect ? [.reply(.replyCode(MilterString(text)))] : nil })
        let connection = Fixtures.open(milter, configuration: Fixtures.configuration(profile: .sendmail))
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.smtpReply == reply)
        #expect(!milter.eventIDs.contains(.helo) && !milter.eventIDs.contains(.mail), "\(milter.eventIDs)")
        #expect(milter.eventIDs.last == .quit, "milter_connect sends QUIT: \(milter.eventIDs)")
    }

    @Test func postfixSendsTheText() {
        let text = "550 5.7.1 go away"
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == .connect ? [.reply(.replyCode(MilterString(text)))] : nil })
        let connection = Fixtures.open(milter)
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.smtpReply == text)
        #expect(result.verdict == .reject)
    }
}
