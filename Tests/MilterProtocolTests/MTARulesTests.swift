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
