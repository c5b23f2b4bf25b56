import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A failure at CONNECT or HELO (here the milter closing the connection). Sendmail's `MILTER_CHECK_ERROR`, with
/// `F=T`, puts a TEMPFAIL state on that command and every later one, which `srvrsmtp.c` answers as for the
/// milter's TEMPFAIL: the usual greeting and 250 to HELO, then and later, and `451 4.3.2 Please try again later`
/// to MAIL (as Sendmail 8.17.1.9 did after a bogus reply at CONNECT or HELO). Postfix does the same with its
/// own 451.
@Suite struct ConnectionFailureReplyTests {
    static func run(closingAt step: MilterCommand.ID, profile: MTAProfile) -> (StepRecord, StepRecord, String?) {
        let outcome = ConnectionVerdictReplyTests.run(.close, at: step, profile: profile)
        return (step == .connect ? outcome.connect : outcome.helo, outcome.laterHelo, outcome.result.smtpReply)
    }

    @Test(arguments: [MilterCommand.ID.connect, .helo])
    func sendmailAnswersConnectAndHeloAsUsual(step: MilterCommand.ID) {
        let (failed, laterHelo, message) = Self.run(closingAt: step, profile: .sendmail)
        #expect(failed.finding?.code == "eof" && failed.smtpReply == nil)
        #expect(laterHelo.delivery == .notSent && laterHelo.smtpReply == nil)
        #expect(message == MTAProfile.sendmail.replies.communicationError)
    }

    /// Postfix's `milter8_comm_error` makes `451 4.7.1 Service unavailable - try again later` the milter's
    /// `def_reply`, which `smtpd.c` answers at CONNECT with the usual greeting and at HELO with 250, then and
    /// later; MAIL gets it.
    @Test(arguments: [MilterCommand.ID.connect, .helo])
    func postfixAnswersConnectAndHeloAsUsual(step: MilterCommand.ID) {
        let (failed, laterHelo, message) = Self.run(closingAt: step, profile: .postfix)
        #expect(failed.finding?.code == "eof" && failed.smtpReply == nil)
        #expect(laterHelo.delivery == .notSent && laterHelo.smtpReply == nil)
        #expect(message == MTAProfile.postfix.replies.communicationError)
    }
}
