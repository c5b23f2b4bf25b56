import MilterProtocol
import NIOCore
import Testing

/// SKIP as Postfix's `milter8_event` takes it: at any event it sets `skip_event_type`, and the following
/// events of that type are not sent until one of another type goes.
@Suite struct PostfixSkipTests {
    static let bob = EnvelopeAddress(address: "<bob@example.org>")

    /// A session after CONNECT and HELO; `answer` is the milter's.
    static func connected(answer: OptionNegotiation = Fixtures.answerAll) throws -> MTADriver {
        var driver = try MTADriver(answer: answer)
        try driver.step(.connect(Fixtures.connect))
        try driver.step(.helo("mx.example.org"))
        return driver
    }

    /// Sends `command` and answers it SKIP, which Postfix takes with a warning.
    static func skip(_ command: MilterCommand, on driver: inout MTADriver) throws {
        #expect(try driver.send(command) == .sendAndAwaitReply)
        #expect(try driver.receive(.skip) == .final(.skip))
        #expect(driver.session.lastReplyWarning?.code == .replyNotAllowedHere)
        #expect(driver.session.skippedEvent == command.id)
    }

    @Test func recipientsAfterSkipAtARecipientAreLeftOutUntilData() throws {
        var postfix = try Self.connected()
        try postfix.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        try Self.skip(.recipient(EnvelopeAddress(address: "<b@example.org>")), on: &postfix)
        #expect(postfix.session.skips(.recipient) && !postfix.session.skips(.data))
        #expect(try postfix.send(.macro(MacroDefinition(stage: .data))) == .sendWithoutReply, "MACRO is no event")
        #expect(postfix.session.skippedEvent == .recipient)
        #expect(try postfix.send(.recipient(Self.bob)) == .skipEvent)
        #expect(postfix.session.phase == .recipients)
        try postfix.step(.data)
        #expect(postfix.session.skippedEvent == nil)
    }

    @Test func headersAfterSkipAtAHeaderAreLeftOutUntilEndOfHeaders() throws {
        var postfix = try Self.connected()
        for command in Fixtures.openingCommands[2...4] { try postfix.step(command) }
        try Self.skip(.header(HeaderField(name: "From", value: "a")), on: &postfix)
        #expect(try postfix.send(.header(HeaderField(name: "To", value: "b"))) == .skipEvent)
        try postfix.step(.endOfHeaders)
        try postfix.step(.body(ByteBuffer(string: "x")))
        #expect(postfix.session.skippedEvent == nil)
    }

    /// ABORT goes without `milter8_event`: a MAIL after SKIP at MAIL and RSET is left out too.
    @Test func skipAtMailOutlastsAbort() throws {
        var postfix = try Self.connected()
        try Self.skip(.mail(EnvelopeAddress(address: "<a@example.org>")), on: &postfix)
        #expect(try postfix.send(.abort) == .sendWithoutReply)
        #expect(try postfix.send(.mail(EnvelopeAddress(address: "<c@example.org>"))) == .skipEvent)
        #expect(postfix.session.phase == .mail)
        try postfix.step(.recipient(Self.bob))
        #expect(postfix.session.skippedEvent == nil)
    }

    /// Version 2 has no UNKNOWN: it does not end a skip (`np_mask` is checked before `skip_event_type`);
    /// and SKIP, which Postfix offers only from version 6, is taken all the same.
    @Test func skipNotOfferedAtHeloOutlastsAnEventOutsideTheVersion() throws {
        let v2 = OptionNegotiation(version: .v2, actions: .all, protocolFlags: [])
        var postfix = try MTADriver(offer: Negotiation.postfixOffer(version: .v2), answer: v2)
        try postfix.step(.connect(Fixtures.connect))
        #expect(try postfix.send(.helo("mx")) == .sendAndAwaitReply)
        #expect(try postfix.receive(.skip) == .final(.skip))
        #expect(postfix.session.lastReplyWarning?.code == .skipNotNegotiated)
        #expect(try postfix.send(.unknown("NOOP")) == .skipEvent)
        #expect(try postfix.send(.helo("mx")) == .skipEvent)
        try postfix.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(postfix.session.skippedEvent == nil)
    }

    /// At end of message SKIP is CONTINUE, which accepts the message; the next MAIL ends the skip.
    @Test func skipAtEndOfMessage() throws {
        var postfix = try MTADriver(answer: Fixtures.answerAll)
        try postfix.openTransaction()
        #expect(try postfix.send(.endOfMessage(ByteBuffer())) == .sendAndAwaitReply)
        #expect(try postfix.receive(.skip) == .final(.skip))
        #expect(postfix.session.lastReplyWarning?.detail?.hasSuffix("which accepts the message") == true)
        _ = try postfix.send(.abort)
        try postfix.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(postfix.session.skippedEvent == nil)
    }

    /// SKIP at a body chunk is what the protocol means: no warning, and end of message ends the skip.
    @Test func skipAtABodyChunk() throws {
        var postfix = try MTADriver(answer: Fixtures.answerAll)
        try postfix.openTransaction()
        #expect(try postfix.send(.body(ByteBuffer(string: "x"))) == .sendAndAwaitReply)
        #expect(try postfix.receive(.skip) == .final(.skip))
        #expect(postfix.session.lastReplyWarning == nil && postfix.session.skippingBody)
        #expect(try postfix.send(.body(ByteBuffer(string: "y"))) == .skipEvent)
        #expect(try postfix.send(.endOfMessage(ByteBuffer())) == .sendAndAwaitReply)
        #expect(!postfix.session.skippingBody)
    }
}
