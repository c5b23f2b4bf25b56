import MilterProtocol
import NIOCore
import Testing

/// The replies whose handling differs between Postfix's `milter8_event` and Sendmail's `milter.c`.
@Suite struct MTARulesTests {
    /// Sendmail has no case for SHUTDOWN or CONN_FAIL in any reply switch; Postfix takes SHUTDOWN only.
    @Test(arguments: [MilterReply.shutdown, .connectionFailure])
    func shutdownAndConnectionFailure(reply: MilterReply) throws {
        for rules in [MTARules.postfix, .sendmail] {
            var driver = try MTADriver(rules: rules, answer: Fixtures.answerAll)
            try driver.step(.connect(Fixtures.connect))
            try driver.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
            if rules == .postfix && reply == .shutdown {
                #expect(try driver.receive(reply) == .final(reply))
                #expect(driver.session.phase == .closed)
            } else {
                expectViolation(.replyNotAllowedHere) { _ = try driver.receive(reply) }
            }
        }
    }

    @Test func sendmailPassesEnvelopeCommandsAfterRepliesItHasNoCaseFor() {
        let rules = MTARules.sendmail
        for step in [MilterCommand.ID.connect, .helo, .mail, .recipient, .data, .unknown] {
            for reply in [MilterReply.ID.shutdown, .connectionFailure, .quarantine, .progress, .addHeader] {
                #expect(rules.passesCommand(step, afterReply: reply.rawValue))
            }
            #expect(rules.passesCommand(step, afterReply: UInt8(ascii: "Z")))
            for reply in [MilterReply.ID.continue, .accept, .reject, .tempfail, .discard, .replyCode, .skip] {
                #expect(!rules.passesCommand(step, afterReply: reply.rawValue))
            }
        }
        for step in [MilterCommand.ID.header, .endOfHeaders, .body, .endOfMessage] {
            #expect(!rules.passesCommand(step, afterReply: MilterReply.ID.shutdown.rawValue))
        }
        #expect(!MTARules.postfix.passesCommand(.mail, afterReply: MilterReply.ID.connectionFailure.rawValue))
    }

    /// Sendmail's `MILTER_CHECK_REPLYCODE`: three bytes, 4 or 5 and two digits, no NUL, every `%` doubled.
    @Test(arguments: [
        ("550 5.7.1 no", true), ("550", true), ("450 5.7.1 class mismatch", true), ("421-a\r\n421 b", true),
        ("550 100%% sure", true), ("250 ok", false), ("55", false), ("5x0 no", false), ("550 100% sure", false),
        ("550 ends in %", false), ("", false),
    ])
    func sendmailReplyCodeCheck(text: String, accepted: Bool) {
        #expect(ReplyCode.sendmailAccepts(MilterString(text)) == accepted)
        #expect(!ReplyCode.sendmailAccepts(MilterString(bytes: Array("550 a\0b".utf8))))
    }

    /// Sendmail takes DISCARD at CONNECT (it then sends QUIT) with a warning; Postfix ignores it silently.
    @Test func discardAtConnect() throws {
        for rules in [MTARules.sendmail, .postfix] {
            var driver = try MTADriver(rules: rules, answer: Fixtures.answerAll)
            try driver.send(.connect(Fixtures.connect))
            #expect(try driver.receive(.discard) == .final(.discard))
            #expect(driver.session.lastReplyWarning?.code == (rules == .sendmail ? .replyNotAllowedHere : nil))
            #expect(driver.session.phase == (rules == .sendmail ? .closed : .connection))
        }
    }

    /// Both take SKIP before the body with a warning. Sendmail skips the body after SKIP at a header;
    /// Postfix skips the following headers (``PostfixSkipTests``).
    @Test func skipBeforeTheBody() throws {
        var postfix = try MTADriver(answer: Fixtures.answerAll)
        try postfix.step(.connect(Fixtures.connect))
        try postfix.send(.mail(EnvelopeAddress(address: "<a@example.org>")))
        #expect(try postfix.receive(.skip) == .final(.skip))
        #expect(postfix.session.lastReplyWarning?.code == .replyNotAllowedHere)
        #expect(postfix.session.skippedEvent == .mail)

        var sendmail = try MTADriver(rules: .sendmail, answer: Fixtures.answerAll)
        for command in Fixtures.openingCommands.prefix(5) { try sendmail.step(command) }
        try sendmail.send(.header(HeaderField(name: "Subject", value: "hi")))
        #expect(try sendmail.receive(.skip) == .final(.skip))
        #expect(sendmail.session.lastReplyWarning?.code == .replyNotAllowedHere)
        #expect(sendmail.session.skippedEvent == .body)
        try sendmail.step(.header(HeaderField(name: "To", value: "b")))
        try sendmail.step(.endOfHeaders)
        #expect(try sendmail.send(.body(ByteBuffer(string: "x"))) == .skipEvent)
        try sendmail.send(.endOfMessage(ByteBuffer()))
        expectViolation(.replyNotAllowedHere) { _ = try sendmail.receive(.skip) }
    }

    /// Both honour an unnegotiated modification with a warning; Sendmail refuses REPLBODY, Postfix does not.
    @Test func unnegotiatedModification() throws {
        let headerOnly = OptionNegotiation(version: .v6, actions: [.addHeaders], protocolFlags: [])
        let edit = MilterReply.changeSender(EnvelopeChange(address: "<b@example.org>"))
        let body = MilterReply.replaceBody(ByteBuffer(string: "new"))
        for rules in [MTARules.sendmail, .postfix] {
            var driver = try MTADriver(rules: rules, answer: headerOnly)
            try driver.openTransaction()
            try driver.send(.endOfMessage(ByteBuffer()))
            #expect(try driver.receive(edit) == .modification(edit))
            #expect(driver.session.lastReplyWarning?.code == .modificationNotNegotiated)
            #expect(driver.session.lastReplyWarning?.detail?.hasSuffix("\(rules.mtaName) honours it anyway") == true)
            #expect(try driver.receive(body) == .modification(body))
            let refused = driver.session.lastReplyWarning?.detail?.hasSuffix(
                "refuses the body and tempfails the message")
            #expect(refused == (rules == .sendmail))
        }
        #expect(
            !MTARules.postfix.refusesUnnegotiatedBodyReplacement && MTARules.sendmail.refusesUnnegotiatedBodyReplacement
        )
    }

    /// Postfix after a QUARANTINE at CONNECT: smtpd sends no HELO, MAIL, RCPT or DATA, its cleanup
    /// server still sends the content.
    @Test func withheldCommandsMoveTheConversationOn() throws {
        var driver = try MTADriver(answer: Fixtures.answerAll)
        try driver.step(.connect(Fixtures.connect))
        for id in [MilterCommand.ID.helo, .mail, .recipient, .data] { try driver.session.commandWithheld(id) }
        #expect(driver.session.phase == .data)
        try driver.step(.header(HeaderField(name: "Subject", value: "hi")))
        #expect(try driver.send(.abort) == .sendWithoutReply)
        #expect(throws: MilterProtocolError.self) { try driver.session.commandWithheld(.data) }
        #expect(try driver.send(.helo("mx")) == .sendAndAwaitReply)
        expectViolation(.commandOutOfOrder) { try driver.session.commandWithheld(.mail) }
    }
}
