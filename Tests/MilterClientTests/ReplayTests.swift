import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// A replayed session adapts to the milter at hand, decided by the state machine.
@Suite struct ReplayTests {
    @Test func aReplayedMailInsideATransactionIsPrecededByAbort() {
        let connection = Fixtures.simulate(Scripts.wellBehaved())
        connection.replay(.mail(Fixtures.sender))
        let second = connection.replay(.mail(Fixtures.sender))
        #expect(second.delivery == .awaited)
        #expect(connection.milter.eventIDs.suffix(3) == [.mail, .abort, .mail])
    }

    @Test func afterARejectAtMailTheRestOfTheTransactionIsNotSent() {
        let connection = Fixtures.simulate(Scripts.wellBehaved { $0.id == .mail ? [.reply(.reject)] : nil })
        let mail = connection.replay(.mail(Fixtures.sender))
        #expect(mail.smtpReply == "550 5.7.1 Command rejected")
        let recipient = connection.replay(.recipient(Fixtures.recipients[0]))
        #expect(recipient.delivery == .notSent)
        #expect(recipient.smtpReply == "550 5.7.1 Command rejected")
        let quit = connection.replay(.quit)
        #expect(quit.command == .quit)
        #expect(quit.delivery == .sentWithoutReply)
        #expect(connection.milter.eventIDs.suffix(2) == [.mail, .quit])
        #expect(connection.closes == 1)
    }
}
