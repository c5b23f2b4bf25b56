import MilterProtocol
import NIOCore
import Testing

/// One test per sequencing pitfall of PROTOCOL.md §G, named after it, on both sides.
@Suite struct PitfallTests {
    @Test func pitfall01_answeringAbortMacroOrQuitDesyncsTheStream() throws {
        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.step(.connect(Fixtures.connect))
        #expect(try mta.send(.abort) == .sendWithoutReply)
        expectViolation(.replyToNoReplyCommand) { _ = try mta.receive(.continue) }

        var mta2 = try MTADriver(answer: Fixtures.answerAll)
        #expect(try mta2.send(.macro(MacroDefinition(stage: .connect))) == .sendWithoutReply)
        expectViolation(.replyToNoReplyCommand) { _ = try mta2.receive(.continue) }

        for command in [MilterCommand.abort, .quit, .macro(MacroDefinition(stage: .mail))] {
            var milter = try MilterDriver()
            try milter.step(.connect(Fixtures.connect))
            try milter.receive(command)
            expectViolation(.replyWhereNoneIsAllowed) { try milter.session.replyWillBeSent(.continue) }
        }
    }

    @Test func pitfall02_abortAfterEverySuccessfulEndOfMessageSometimesTwice() throws {
        var milter = try MilterDriver()
        try milter.openTransaction()
        try milter.step(.endOfMessage(ByteBuffer()), .accept)
        #expect(try milter.receive(.abort) == .abort)
        #expect(try milter.receive(.abort) == .abort)
        #expect(milter.session.phase == .connection)
        try milter.step(.mail(EnvelopeAddress(address: "<c@example.org>")))
        #expect(milter.session.phase == .mail)

        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.openTransaction()
        try mta.step(.endOfMessage(ByteBuffer()), .accept)
        #expect(try mta.send(.abort) == .sendWithoutReply)
        #expect(try mta.send(.abort) == .sendWithoutReply)
        try mta.step(.mail(EnvelopeAddress(address: "<c@example.org>")))
    }

    @Test func pitfall03_macroPacketsWithStageLBUOrNoPairsAreAccepted() throws {
        var milter = try MilterDriver()
        try milter.step(.connect(Fixtures.connect))
        try milter.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        try milter.step(.recipient(EnvelopeAddress(address: "<b@example.org>")))
        for stage in ["L", "B", "U"].map({ UInt8(ascii: Unicode.Scalar($0)!) }) {
            let definition = MacroDefinition(stage: stage, macros: [])
            #expect(try milter.receive(.macro(definition)) == .macros(definition))
        }
        var bytes = ByteBuffer(bytes: [0, 0, 0, 2, UInt8(ascii: "D"), UInt8(ascii: "L")])
        var decoder = MilterCommandDecoder()
        let decoded = try #require(try decoder.decode(buffer: &bytes))
        #expect(decoded == .macro(MacroDefinition(stage: UInt8(ascii: "L"))))
        #expect(try milter.receive(decoded) == .macros(MacroDefinition(stage: UInt8(ascii: "L"))))
    }

    @Test func pitfall04_macrosArriveEvenForEventsThatNoFlagsSkip() throws {
        let answer = OptionNegotiation(version: .v6, actions: [], protocolFlags: [.noConnect, .noHelo])
        var mta = try MTADriver(answer: answer)
        #expect(try mta.send(.macro(MacroDefinition(stage: .connect))) == .sendWithoutReply)
        #expect(try mta.send(.connect(Fixtures.connect)) == .skipEvent)
        #expect(try mta.send(.macro(MacroDefinition(stage: .helo))) == .sendWithoutReply)
        #expect(try mta.send(.helo("mx")) == .skipEvent)
        try mta.step(.mail(EnvelopeAddress(address: "<a@example.org>")))

        // A reply to the MACRO of a skipped event is a reply to MACRO, not to the skipped event.
        #expect(try mta.send(.macro(MacroDefinition(stage: .recipient))) == .sendWithoutReply)
        var skipped = try MTADriver(answer: answer)
        _ = try skipped.send(.macro(MacroDefinition(stage: .connect)))
        _ = try skipped.send(.connect(Fixtures.connect))
        expectViolation(.replyToNoReplyCommand) { _ = try skipped.receive(.continue) }

        var milter = try MilterDriver(requirements: .init(protocolFlags: [.noConnect, .noHelo]))
        let macros = MacroDefinition(stage: .connect, macros: [.init(name: "j", value: "mx.example.org")])
        #expect(try milter.receive(.macro(macros)) == .macros(macros))
    }

    @Test func pitfall05_connectStageVerdictEndsInEOFWithoutQuitUnderPostfix() throws {
        var postfix = try MTADriver(answer: Fixtures.answerAll)
        try postfix.step(.connect(Fixtures.connect), .reject)
        #expect(postfix.session.phase == .closed)
        expectViolation(.commandOutOfOrder) { try postfix.send(.helo("mx")) }

        var sendmail = try MTADriver(rules: .sendmail, answer: Fixtures.answerAll)
        try sendmail.step(.connect(Fixtures.connect), .accept)
        #expect(try sendmail.send(.quit) == .sendWithoutReply)
    }

    @Test func pitfall06_replyCodeFollowedByRejectIsADoubleReply() throws {
        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.openTransaction()
        try mta.step(.endOfMessage(ByteBuffer()), .replyCode("550 5.7.1 no"))
        expectViolation(.unsolicitedReply) { _ = try mta.receive(.reject) }

        var milter = try MilterDriver()
        try milter.openTransaction()
        _ = try milter.receive(.endOfMessage(ByteBuffer()))
        try milter.session.replyWillBeSent(.discard)
        expectViolation(.secondReply) { try milter.session.replyWillBeSent(.accept) }
    }

    @Test func pitfall07_aReplyDespiteANegotiatedNoReplyFlag() throws {
        let answer = OptionNegotiation(version: .v6, actions: [], protocolFlags: [.noReplyConnect, .noReplyHeader])
        var mta = try MTADriver(answer: answer)
        #expect(try mta.send(.connect(Fixtures.connect)) == .sendWithoutReply)
        expectViolation(.replyDespiteNoReply) { _ = try mta.receive(.continue) }

        var milter = try MilterDriver(requirements: .init(protocolFlags: [.noReplyConnect]))
        #expect(try milter.receive(.connect(Fixtures.connect)) == .event(.connect(Fixtures.connect), reply: .none))
        expectViolation(.noReplyAwaited) { try milter.session.replyWillBeSent(.continue) }

        // Wanted but not offered (a version 2 MTA): the milter must answer CONTINUE itself.
        var old = try MilterDriver(
            requirements: .init(protocolFlags: [.noReplyConnect]), offer: Negotiation.postfixOffer(version: .v2))
        #expect(
            try old.receive(.connect(Fixtures.connect)) == .event(.connect(Fixtures.connect), reply: .automaticContinue)
        )
        try old.session.replyWillBeSent(.continue)
    }

    @Test func pitfall08_modificationsBeforeEndOfMessage() throws {
        let header = MilterReply.addHeader(HeaderField(name: "X-A", value: "1"))
        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.step(.connect(Fixtures.connect))
        _ = try mta.send(.helo("mx"))
        expectViolation(.modificationBeforeEndOfMessage) { _ = try mta.receive(header) }

        var milter = try MilterDriver()
        _ = try milter.receive(.connect(Fixtures.connect))
        expectViolation(.modificationBeforeEndOfMessage) { try milter.session.replyWillBeSent(header) }

        // One not negotiated: Postfix and Sendmail honour it with a warning, stricter rules refuse it.
        var strict = MTARules.postfix
        strict.honoursUnnegotiatedModifications = false
        for rules in [MTARules.postfix, strict] {
            var unnegotiated = try MTADriver(
                rules: rules, answer: OptionNegotiation(version: .v6, actions: [], protocolFlags: []))
            try unnegotiated.openTransaction()
            _ = try unnegotiated.send(.endOfMessage(ByteBuffer()))
            if rules == strict {
                expectViolation(.modificationNotNegotiated) { _ = try unnegotiated.receive(header) }
            } else {
                #expect(try unnegotiated.receive(header) == .modification(header))
                #expect(unnegotiated.session.lastReplyWarning?.code == .modificationNotNegotiated)
            }
        }
    }

    @Test func pitfall09_rejectingOneRecipientDoesNotEndTheSession() throws {
        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.step(.connect(Fixtures.connect))
        try mta.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        try mta.step(.recipient(EnvelopeAddress(address: "<x@example.org>")), .replyCode("550 5.1.1 unknown"))
        try mta.step(.recipient(EnvelopeAddress(address: "<b@example.org>")))
        try mta.step(.data)
        #expect(mta.session.phase == .data)

        var milter = try MilterDriver()
        try milter.step(.connect(Fixtures.connect))
        try milter.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        try milter.step(.recipient(EnvelopeAddress(address: "<x@example.org>")), .reject)
        try milter.step(.recipient(EnvelopeAddress(address: "<b@example.org>")))
        try milter.step(.data)
    }
}
