import MilterProtocol
import NIOCore
import Testing

/// Pitfalls 15–17, 21 and 22 of PROTOCOL.md §G.
@Suite struct PitfallVersionTests {
    @Test(arguments: [MilterVersion.v2, .v3, .v4])
    func pitfall15_anMTAOfferingAnOldVersionGetsNoNewerEvents(version: MilterVersion) throws {
        let offer = Negotiation.postfixOffer(version: version)
        var milter = MilterSession(requirements: .init(actions: .addHeaders))
        guard case .negotiate(let answer, _) = try milter.commandReceived(.optionNegotiation(offer)) else {
            Issue.record("OPTNEG was not answered")
            return
        }
        #expect(answer.version == version)
        _ = try milter.commandReceived(.connect(Fixtures.connect))
        try milter.replyWillBeSent(.continue)
        if !version.hasUnknown {
            expectViolation(.eventNotInVersion) { _ = try milter.commandReceived(.unknown("VRFY x")) }
        }
        _ = try milter.commandReceived(.mail(EnvelopeAddress(address: "<a@example.org>")))
        try milter.replyWillBeSent(.continue)
        if !version.hasData {
            expectViolation(.eventNotInVersion) { _ = try milter.commandReceived(.data) }
        }

        var mta = try MTADriver(offer: offer, answer: answer)
        try mta.step(.connect(Fixtures.connect))
        try mta.step(.mail(EnvelopeAddress(address: "<a@example.org>")))
        try mta.step(.recipient(EnvelopeAddress(address: "<b@example.org>")))
        #expect(try mta.send(.data) == (version.hasData ? .sendAndAwaitReply : .skipEvent))
    }

    @Test func pitfall16_anEmptySymbolListIsNotAnAbsentOne() throws {
        let reply = MilterReply.optionNegotiation(
            OptionNegotiation(
                version: .v6, actions: .setSymbolList, protocolFlags: [],
                symbolLists: [SymbolList(stage: .endOfMessage, macros: "")]))
        var buffer = ByteBuffer()
        try buffer.writeMilterReply(reply)
        var decoder = MilterReplyDecoder()
        #expect(try decoder.decode(buffer: &buffer) == reply)

        var mta = MTASession()
        _ = try mta.commandToSend(.optionNegotiation(Negotiation.postfixOffer()))
        guard case .negotiated(let agreed, _) = try mta.replyReceived(reply) else {
            Issue.record("not negotiated")
            return
        }
        #expect(agreed.symbolList(for: .endOfMessage) == [])
        #expect(agreed.symbolList(for: .connect) == nil)
    }

    @Test func pitfall17_quitNewConnectionIsFollowedByConnectWithoutOptionNegotiation() throws {
        var milter = try MilterDriver()
        try milter.step(.connect(Fixtures.connect))
        #expect(try milter.receive(.quitNewConnection) == .newConnection)
        expectViolation(.connectExpected) { try milter.receive(.helo("mx")) }
        var again = try MilterDriver()
        try again.step(.connect(Fixtures.connect))
        try again.receive(.quitNewConnection)
        expectViolation(.optionNegotiationRepeated) {
            try again.receive(.optionNegotiation(Negotiation.postfixOffer()))
        }
        var good = try MilterDriver()
        try good.step(.connect(Fixtures.connect))
        try good.receive(.quitNewConnection)
        try good.receive(.macro(MacroDefinition(stage: .connect)))
        try good.step(.connect(Fixtures.connect))

        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.step(.connect(Fixtures.connect))
        #expect(try mta.send(.quitNewConnection) == .sendWithoutReply)
        expectViolation(.commandOutOfOrder) { try mta.send(.helo("mx")) }
    }

    @Test func pitfall21_replaceBodyInterleavedWithOtherEdits() throws {
        let chunk = MilterReply.replaceBody(ByteBuffer(string: "new\r\n"))
        let header = MilterReply.addHeader(HeaderField(name: "X-A", value: "1"))
        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.openTransaction()
        _ = try mta.send(.endOfMessage(ByteBuffer()))
        #expect(try mta.receive(chunk) == .modification(chunk))
        #expect(try mta.receive(chunk) == .modification(chunk))
        #expect(try mta.receive(header) == .modification(header))
        expectViolation(.replaceBodyInterleaved) { _ = try mta.receive(chunk) }

        var milter = try MilterDriver()
        try milter.openTransaction()
        _ = try milter.receive(.endOfMessage(ByteBuffer()))
        try milter.session.replyWillBeSent(chunk)
        try milter.session.replyWillBeSent(header)
        expectViolation(.replaceBodyInterleaved) { try milter.session.replyWillBeSent(chunk) }
    }

    /// A header edit with an empty name or one with `:` is refused on both sides: the milter's
    /// session before it is sent, the MTA's when it arrives.
    @Test func headerEditsNeedAFieldName() throws {
        let bad = [
            MilterReply.addHeader(HeaderField(name: "", value: "y")),
            .insertHeader(IndexedHeaderField(index: 0, field: HeaderField(name: "X:Y", value: "y"))),
            .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "X Y", value: "y"))),
        ]
        for reply in bad {
            var mta = try MTADriver(answer: Fixtures.answerAll)
            try mta.openTransaction()
            _ = try mta.send(.endOfMessage(ByteBuffer()))
            expectViolation(.invalidHeaderName) { _ = try mta.receive(reply) }

            var milter = try MilterDriver()
            try milter.openTransaction()
            _ = try milter.receive(.endOfMessage(ByteBuffer()))
            expectViolation(.invalidHeaderName) { try milter.session.replyWillBeSent(reply) }
            try milter.session.replyWillBeSent(.addHeader(HeaderField(name: "X-Fine", value: "y")))
        }
    }

    /// A line break in a header value that is not a fold, or any line break in a quarantine reason,
    /// is refused on both sides: the MTA would write a header field of the milter's choosing.
    @Test func headerValuesBreakLinesOnlyAsFoldsAndQuarantineReasonsNotAtAll() throws {
        let values = [
            "x\r\nX-Injected: yes", "x\nX-Injected: yes", "x\rX-Injected: yes", "x\r\n", "x\n", "x\n ", "x\n \n",
            "x\n \n\t", "x\n \nX-Injected: yes", "x\n \r\n\r\nbody", "x\n\t\rX-Injected: yes",
        ]
        var bad = values.flatMap { value in
            [
                MilterReply.addHeader(HeaderField(name: "X-A", value: MilterString(value))),
                .insertHeader(
                    IndexedHeaderField(index: 0, field: HeaderField(name: "X-A", value: MilterString(value)))),
                .changeHeader(
                    IndexedHeaderField(index: 1, field: HeaderField(name: "X-A", value: MilterString(value)))),
            ]
        }
        bad += ["held\r\nX-Injected: 1", "held\n", "held\r", "a\n b"].map { MilterReply.quarantine(MilterString($0)) }
        for reply in bad {
            var mta = try MTADriver(answer: Fixtures.answerAll)
            try mta.openTransaction()
            _ = try mta.send(.endOfMessage(ByteBuffer()))
            expectViolation(.lineBreakNotFold) { _ = try mta.receive(reply) }

            var milter = try MilterDriver()
            try milter.openTransaction()
            _ = try milter.receive(.endOfMessage(ByteBuffer()))
            expectViolation(.lineBreakNotFold) { try milter.session.replyWillBeSent(reply) }
        }
        var milter = try MilterDriver()
        try milter.openTransaction()
        _ = try milter.receive(.endOfMessage(ByteBuffer()))
        var mta = try MTADriver(answer: Fixtures.answerAll)
        try mta.openTransaction()
        _ = try mta.send(.endOfMessage(ByteBuffer()))
        // Continuation lines of white space only (obs-FWS) are folds when a later line holds more.
        for value in ["a\n b", "a\r\n\tb", "a\n  b\n\tc", "", "a\n \n b", "x\n\t\n y", "a\r\n \r\n\t\n  b"] {
            let reply = MilterReply.addHeader(HeaderField(name: "X-Fold", value: MilterString(value)))
            try milter.session.replyWillBeSent(reply)
            _ = try mta.receive(reply)
        }
        try milter.session.replyWillBeSent(.quarantine(MilterString("held by rule")))
    }

    @Test func pitfall22_skipWithoutTheFlagAndProgressOrQuarantineOutsideEndOfMessage() throws {
        // A milter must not send SKIP that the MTA did not offer. Sendmail refuses it; Postfix's
        // milter8_event takes it anyway, so its rules warn.
        let noSkipOffer = OptionNegotiation(
            version: .v6, actions: .all, protocolFlags: MilterVersion.v6.postfixProtocolMask.subtracting(.skip))
        var noSkip = try MTADriver(rules: .sendmail, offer: noSkipOffer, answer: Fixtures.answerAll)
        try noSkip.openTransaction()
        _ = try noSkip.send(.body(ByteBuffer(string: "more\r\n")))
        expectViolation(.skipNotNegotiated) { _ = try noSkip.receive(.skip) }
        var noSkipPostfix = try MTADriver(offer: noSkipOffer, answer: Fixtures.answerAll)
        try noSkipPostfix.openTransaction()
        _ = try noSkipPostfix.send(.body(ByteBuffer(string: "more\r\n")))
        #expect(try noSkipPostfix.receive(.skip) == .final(.skip))
        #expect(noSkipPostfix.session.lastReplyWarning?.code == .skipNotNegotiated)
        var noSkipMilter = try MilterDriver(offer: noSkipOffer)
        try noSkipMilter.openTransaction()
        _ = try noSkipMilter.receive(.body(ByteBuffer(string: "more\r\n")))
        expectViolation(.skipNotNegotiated) { try noSkipMilter.session.replyWillBeSent(.skip) }

        // Offered but not echoed (a libmilter milter without a negotiate callback): SKIP is fine.
        var offered = try MTADriver(answer: Fixtures.answerAll)
        try offered.openTransaction()
        try offered.step(.body(ByteBuffer(string: "more\r\n")), .skip)
        #expect(try offered.send(.body(ByteBuffer(string: "rest\r\n"))) == .skipEvent)
        var offeredMilter = try MilterDriver()
        try offeredMilter.openTransaction()
        _ = try offeredMilter.receive(.body(ByteBuffer(string: "more\r\n")))
        try offeredMilter.session.replyWillBeSent(.skip)

        let skipAnswer = OptionNegotiation(version: .v6, actions: .all, protocolFlags: .skip)
        var skip = try MTADriver(answer: skipAnswer)
        try skip.openTransaction()
        try skip.step(.body(ByteBuffer(string: "more\r\n")), .skip)
        #expect(try skip.send(.body(ByteBuffer(string: "rest\r\n"))) == .skipEvent)
        #expect(try skip.send(.endOfMessage(ByteBuffer())) == .sendAndAwaitReply)

        var sendmail = try MTADriver(rules: .sendmail, answer: Fixtures.answerAll)
        try sendmail.step(.connect(Fixtures.connect))
        _ = try sendmail.send(.helo("mx"))
        expectViolation(.replyNotAllowedHere) { _ = try sendmail.receive(.progress) }
        expectViolation(.replyNotAllowedHere) { _ = try sendmail.receive(.quarantine("spam")) }

        var postfix = try MTADriver(answer: Fixtures.answerAll)
        try postfix.step(.connect(Fixtures.connect))
        _ = try postfix.send(.helo("mx"))
        #expect(try postfix.receive(.progress) == .progress)
        #expect(try postfix.receive(.quarantine("spam")) == .quarantine("spam"))
        #expect(try postfix.receive(.continue) == .final(.continue))
    }
}
