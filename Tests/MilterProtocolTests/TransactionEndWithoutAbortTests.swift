import MilterProtocol
import NIOCore
import Testing

/// Sendmail sends no ABORT to a milter its verdict left done with the message (a refused MAIL,
/// ACCEPT at end of headers): the next MAIL comes in the middle of the milter's transaction, and
/// the milter ends it first, as libmilter's engine does.
@Suite struct TransactionEndWithoutAbortTests {
    static let second = MilterCommand.mail(EnvelopeAddress(address: "<c@example.org>"))

    @Test func aMailInsideATransactionIsOutOfOrderUntilTheTransactionIsEnded() throws {
        var milter = try MilterDriver()
        try milter.step(.connect(Fixtures.connect))
        try milter.step(.helo(MilterString("client.example.org")))
        try milter.step(.mail(EnvelopeAddress(address: "<a@example.org>")), .reject)
        #expect(milter.session.phase == .mail)
        #expect(throws: MilterProtocolError.self) { try milter.session.commandReceived(Self.second) }
        milter.session.endTransactionWithoutAbort()
        #expect(milter.session.phase == .connection)
        try milter.step(Self.second)
        #expect(milter.session.phase == .mail)
    }

    @Test func aTransactionEndedAtEndOfHeadersTakesTheNextMail() throws {
        var milter = try MilterDriver()
        try milter.openTransaction()
        #expect(milter.session.phase == .body)
        milter.session.endTransactionWithoutAbort()
        try milter.step(Self.second)
    }

    @Test func nothingChangesOutsideATransactionOrWhileAReplyIsDue() throws {
        var milter = try MilterDriver()
        try milter.step(.connect(Fixtures.connect))
        milter.session.endTransactionWithoutAbort()
        #expect(milter.session.phase == .connection)
        _ = try milter.receive(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(milter.session.owed == .mail)
        milter.session.endTransactionWithoutAbort()
        #expect(milter.session.phase == .mail)
    }
}
