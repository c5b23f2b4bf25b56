import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// Feeds commands to a session; answers classify and check actions with the given answers.
struct SessionDriver {
    var session: ServerSession
    var decision: Decision = .accept("ok")
    var classified: [MailInfo] = []
    var replies: [MilterReply] = []

    init(needs: ClassifierNeeds = ClassifierNeeds(), options: ProtocolOptions = ProtocolOptions()) {
        session = ServerSession(needs: needs, options: options)
    }

    mutating func feed(_ commands: [MilterCommand]) throws {
        for command in commands {
            switch try session.receive(command) {
            case .reply(let out), .replyAndClose(let out): replies += out
            case .close: break
            case .check(let event, _): replies += try session.checked(event, verdict: nil)
            case .classify(let completed):
                classified.append(completed.mail)
                replies += try session.classified(decision).replies
            }
        }
    }
}

@Suite struct ServerSessionTests {
    @Test func negotiationAsksOnlyForWhatTheClassifierNeeds() throws {
        var driver = SessionDriver(needs: ClassifierNeeds(actions: [.addHeaders]))
        try driver.feed([Cmd.offer])
        guard case .optionNegotiation(let answer) = driver.replies.first else {
            Issue.record("no OPTNEG answer")
            return
        }
        #expect(answer.version == .v6)
        #expect(answer.actions == [.addHeaders])
        let flags = answer.protocolFlags
        #expect(flags.isSuperset(of: [.noReplyConnect, .noReplyHelo, .noReplyMail, .noReplyRecipient, .noReplyBody]))
        #expect(flags.isSuperset(of: [.noData, .noUnknown, .noEndOfHeaders, .noReplyHeader]))
        #expect(!flags.contains(.noBody))
    }

    @Test(arguments: [(0, true, false), (1_000, false, true)])
    func truncationChoosesNoBodyOrSkip(truncate: Int, noBody: Bool, skip: Bool) throws {
        var driver = SessionDriver(options: ProtocolOptions(truncate: truncate))
        try driver.feed([Cmd.offer])
        guard case .optionNegotiation(let answer) = driver.replies.first else { return }
        #expect(answer.protocolFlags.contains(.noBody) == noBody)
        #expect(answer.protocolFlags.contains(.skip) == skip)
        #expect(answer.protocolFlags.contains(.noReplyBody) == false)
    }

    @Test func symbolListsFollowDeclaredMacros() throws {
        var driver = SessionDriver(needs: ClassifierNeeds(macros: [.mail: ["i", "{auth_authen}"]]))
        try driver.feed([Cmd.offer])
        guard case .optionNegotiation(let answer) = driver.replies.first else { return }
        #expect(answer.actions.contains(.setSymbolList))
        #expect(answer.symbolLists == [SymbolList(stage: .mail, names: ["i", "{auth_authen}"])])
    }

    @Test(arguments: [MilterVersion.v2, .v3, .v4])
    func olderMTAsGetTheirOwnVersionAndNoReplyBitsAreAnsweredByUs(version: MilterVersion) throws {
        var driver = SessionDriver()
        try driver.feed([Cmd.offer(version)])
        guard case .optionNegotiation(let answer) = driver.replies.first else { return }
        #expect(answer.version == version)
        driver.replies = []
        // NR bits do not exist before version 6: every event is answered with CONTINUE by us.
        try driver.feed([Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org")])
        #expect(driver.replies == [.continue, .continue, .continue, .continue])
    }

    @Test func everyMessageGetsExactlyOneFinalReply() throws {
        var driver = SessionDriver()
        driver.decision = .discard("bye")
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x"))
        #expect(driver.replies.dropFirst() == [.discard])
    }

    @Test func modificationsPrecedeTheVerdictAndOnlyWhenDelivered() throws {
        var driver = SessionDriver()
        driver.decision = Decision(
            .quarantine("held"), reason: "r",
            modifications: [.addHeader(name: "X-A", value: "1"), .changeSender("new@example.com", arguments: nil)])
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x"))
        #expect(
            Array(driver.replies.dropFirst()) == [
                // Postfix offers HDR_LEADSPC, so the value brings the space after the colon.
                .addHeader(HeaderField(name: "X-A", value: " 1")),
                .changeSender(EnvelopeChange(address: "<new@example.com>")), .quarantine("held"), .accept,
            ])
        driver.replies = []
        driver.decision = Decision(.reject(nil), modifications: [.addHeader(name: "X-A", value: "1")])
        try driver.feed([.abort] + Cmd.message(subject: "y"))
        #expect(driver.replies == [.reject])
    }

    @Test func modificationsTheMTADidNotGrantAreDropped() throws {
        var session = ServerSession(needs: ClassifierNeeds(actions: [.addHeaders]), options: ProtocolOptions())
        for command in [Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x").dropLast() {
            _ = try session.receive(command)
        }
        _ = try session.receive(Cmd.eom)
        let answer = try session.classified(
            .accept("x", modifications: [.deleteRecipient("bob@example.org"), .addHeader(name: "X", value: "y")]))
        #expect(answer.replies == [.addHeader(HeaderField(name: "X", value: " y")), .accept])
        #expect(answer.dropped == [.deleteRecipient("bob@example.org")])
    }

    @Test func headerValuesAreRebuiltByteForByte() throws {
        // An MTA that does not offer HDR_LEADSPC takes one space after the colon off; it is put back.
        var driver = SessionDriver()
        try driver.feed(
            [
                Cmd.offerWithoutLeadingSpace, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"),
                Cmd.rcpt("b@example.org"), Cmd.header("Subject", "folded\n\tline"), Cmd.header("X-Empty", ""),
                Cmd.body("text\r\n"), Cmd.eom,
            ])
        #expect(driver.replies.first.flatMap(Self.flags)?.contains(.headerLeadingSpace) == false)
        let mail = try #require(driver.classified.first)
        #expect(mail.headerFields.map(\.value) == [" folded\r\n\tline", " "])
        #expect(mail.subject == "folded\tline")  // RFC 5322 unfolding removes only the CRLF
        #expect(mail.body == Array("text\r\n".utf8))
    }

    @Test func withHDRLEADSPCHeaderValuesAreKeptAsTheMTASentThem() throws {
        // Postfix offers HDR_LEADSPC and the server asks for it: the value comes as it is in the message, a
        // tab or no space after the colon included, which the server could not rebuild otherwise.
        var driver = SessionDriver()
        try driver.feed(
            [
                Cmd.offer, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"),
                Cmd.header("Subject", " folded\n\tline"), Cmd.header("X-Tab", "\tv"), Cmd.header("X-Tight", "v"),
                Cmd.header("X-Empty", ""), Cmd.body("text\r\n"), Cmd.eom,
            ])
        #expect(driver.replies.first.flatMap(Self.flags)?.contains(.headerLeadingSpace) == true)
        let mail = try #require(driver.classified.first)
        #expect(mail.headerFields.map(\.value) == [" folded\r\n\tline", "\tv", "v", ""])
        #expect(mail.subject == "folded\tline")
    }

    @Test func withoutHDRLEADSPCModificationsLeaveTheSpaceToTheMTA() throws {
        var driver = SessionDriver()
        driver.decision = .accept(
            "x",
            modifications: [
                .addHeader(name: "X-A", value: "1"), .changeHeader(name: "X-B", occurrence: 1, value: "2"),
                .deleteHeader(name: "X-C", occurrence: 1),
            ])
        try driver.feed([Cmd.offerWithoutLeadingSpace, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x"))
        #expect(
            Array(driver.replies.dropFirst()) == [
                .addHeader(HeaderField(name: "X-A", value: "1")),
                .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "X-B", value: "2"))),
                .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "X-C", value: ""))), .accept,
            ])
    }

    private static func flags(_ reply: MilterReply) -> MilterProtocolFlags? {
        guard case .optionNegotiation(let answer) = reply else { return nil }
        return answer.protocolFlags
    }

    @Test func endOfMessageDataIsTheLastBodyChunk() throws {
        var driver = SessionDriver()
        try driver.feed(
            [
                Cmd.offer, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"),
                Cmd.body("one "), .endOfMessage(ByteBuffer(string: "two")),
            ])
        #expect(driver.classified.first?.body == Array("one two".utf8))
    }

    @Test func unknownAndDataAreAnsweredWhenTheMTAWaits() throws {
        var driver = SessionDriver()
        try driver.feed([Cmd.offer(.v4), Cmd.connect, Cmd.helo, .unknown("VRFY x"), Cmd.mail("a@example.com")])
        #expect(driver.replies.dropFirst() == [.continue, .continue, .continue, .continue])
    }

    @Test func commandsOutOfOrderAreRefusedNotCrashed() {
        var session = ServerSession(needs: ClassifierNeeds(), options: ProtocolOptions())
        #expect(throws: MilterProtocolError.self) { try session.receive(Cmd.connect) }
        var negotiated = ServerSession(needs: ClassifierNeeds(), options: ProtocolOptions())
        _ = try? negotiated.receive(Cmd.offer)
        #expect(throws: MilterProtocolError.self) { try negotiated.receive(Cmd.offer) }
    }

    @Test func quitNewConnectionStartsOverWithoutNegotiation() throws {
        var driver = SessionDriver()
        try driver.feed(
            [Cmd.offer, Cmd.macros(.connect, ["j": "mx"]), Cmd.connect, Cmd.helo] + Cmd.message(subject: "a"))
        try driver.feed([.quitNewConnection, Cmd.macros(.connect, ["j": "mx2"]), Cmd.connect, Cmd.helo])
        try driver.feed(Cmd.message(subject: "b"))
        #expect(driver.classified.map { $0.macros["j"] } == ["mx", "mx2"])
        // The handshake was over at the first CONNECT: a reused connection is not held to its timeout again.
        var reused = SessionDriver()
        try reused.feed([Cmd.offer, Cmd.connect, Cmd.helo, .quitNewConnection])
        #expect(reused.session.hasReceivedConnect)
        var wrong = SessionDriver()
        try wrong.feed([Cmd.offer, Cmd.connect, .quitNewConnection])
        #expect(throws: MilterProtocolError.self) { try wrong.feed([Cmd.helo]) }
    }

    /// Postfix sends the same MACRO packet before every header field; a repeat keeps the stage's
    /// values, a different packet replaces them, and the end of the transaction still clears them.
    @Test func repeatedMacroPacketsKeepTheirValuesUntilTheTransactionEnds() throws {
        var driver = SessionDriver()
        let header = Cmd.macros(.header, ["i": "Q1"])
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org")])
        try driver.feed([.data, header, Cmd.header("A", "1"), header, Cmd.header("B", "2"), header])
        try driver.feed([Cmd.header("C", "3"), .endOfHeaders, Cmd.eom])
        try driver.feed([Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data, header, Cmd.header("A", "1")])
        try driver.feed([Cmd.macros(.header, ["i": "Q2"]), Cmd.header("B", "2"), .endOfHeaders, Cmd.eom])
        try driver.feed([Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org"), .data, Cmd.header("A", "1")])
        try driver.feed([.endOfHeaders, Cmd.eom])
        #expect(driver.classified.map { $0.macros.stage(.header)["i"] } == ["Q1", "Q2", nil])
    }

    /// Macro names are cut on their bytes as the string normalisation cuts them on characters.
    @Test(arguments: ["i", "{i}", "{}", "{", "}", "{daemon_name}", "{\r\n}", "{é}", "{\u{301}x}", "{x\u{600}}", ""])
    func macroNamesNormaliseAlikeAsBytesAndAsCharacters(name: String) {
        #expect(MacroTable.normalize(MilterString(name)) == MacroTable.normalize(name))
    }

    @Test func refusingSessionTempfailsAtConnectAndCloses() throws {
        var session = ServerSession(needs: ClassifierNeeds(), options: ProtocolOptions(), refusing: true)
        guard case .reply(let answer) = try session.receive(Cmd.offer),
            case .optionNegotiation(let negotiation) = answer.first
        else {
            Issue.record("no OPTNEG answer")
            return
        }
        #expect(negotiation.protocolFlags.isEmpty)
        guard case .replyAndClose(let replies) = try session.receive(Cmd.connect) else {
            Issue.record("no close")
            return
        }
        #expect(replies == [.tempfail])
    }
}
