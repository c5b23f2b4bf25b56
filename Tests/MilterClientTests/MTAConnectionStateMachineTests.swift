import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The fake MTA's state machine as a plain value, one line per event: what Postfix and Sendmail
/// write, how long they wait, and what they hand back, timeouts included. No socket, no clock.
@Suite struct MTAConnectionStateMachineTests {
    typealias Machine = MTAConnectionStateMachine

    /// A machine after OPTNEG, with the profile's own timeouts.
    private static func negotiated(_ profile: MTAProfile, flags: MilterProtocolFlags = []) -> Machine {
        var configuration = MilterClientConfiguration(profile: profile)
        configuration.receivedDate = { "Sat, 28 Nov 2026 00:00:00 +0000" }
        var machine = Machine(configuration: configuration, client: SMTPClient())
        #expect(machine.negotiationRequested().text == "write O")
        #expect(machine.written().text == "wait \(profile.timeouts.command.nanoseconds / 1_000_000) ms")
        #expect(machine.eventReceived(.reply(Scripts.answer(flags: flags))).text == "step O awaited O")
        return machine
    }

    /// A Postfix machine after OPTNEG and CONNECT.
    private static func connected() -> Machine {
        var machine = negotiated(.postfix)
        #expect(machine.connectRequested().text == "write D C")
        #expect(machine.written().text == "wait 30000 ms")
        #expect(machine.eventReceived(.reply(.continue)).text == "step C awaited c")
        return machine
    }

    @Test func postfixMessageWithProgressAndATimeoutAtEndOfMessage() {
        var m = Self.negotiated(.postfix)
        #expect(m.connectRequested().text == "write D C")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "step C awaited c")
        #expect(m.messageRequested(Fixtures.message).text == "write D M")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.progress)).text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D R")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D R")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D T")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D L")
        for _ in 0..<3 {
            #expect(m.written().text == "wait 300000 ms")
            #expect(m.eventReceived(.reply(.continue)).text == "write D L")
        }
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D N")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D B")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D E")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.progress)).text == "wait 300000 ms")
        #expect(m.eventReceived(.timeout(.seconds(300))).text == "close")
        #expect(m.closed().text == "result tempfail 451 4.7.1 Service unavailable - try again later")
        #expect(m.connectionFindings.isEmpty)
        #expect(m.quitRequested().text == "close")
        #expect(m.closed().text == "finding none")
    }

    @Test func postfixAbortsAfterEveryMessageAndClosesRightAfterQuit() {
        var m = Self.negotiated(.postfix, flags: [.noConnect, .noHelo, .noMail, .noRecipient, .noData, .noHeaders])
        #expect(m.connectRequested().text == "write D")
        #expect(m.written().text == "step C skipped")
        #expect(m.messageRequested(Fixtures.message).text == "write D")
        #expect(m.written().text == "write D")
        #expect(m.written().text == "write D")
        #expect(m.written().text == "write D")
        #expect(m.written().text == "write D N")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D B")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D E")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.accept)).text == "write A")
        #expect(m.written().text == "result accept")
        #expect(m.quitRequested().text == "write Q")
        #expect(m.written().text == "close")
        #expect(m.closed().text == "finding none")
        #expect(!m.socketOpen)
    }

    @Test func quitDrainIsOptInAndAReplyMeanwhileIsAFinding() {
        var configuration = MilterClientConfiguration(profile: .postfix, quitDrainTimeout: .milliseconds(200))
        configuration.receivedDate = { "Sat, 28 Nov 2026 00:00:00 +0000" }
        var m = Machine(configuration: configuration, client: SMTPClient())
        #expect(m.negotiationRequested().text == "write O")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(Scripts.answer())).text == "step O awaited O")
        #expect(m.quitRequested().text == "write Q")
        #expect(m.written().text == "wait 200 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "close")
        #expect(m.closed().text == "finding replyToNoReplyCommand")
        #expect(m.connectionFindings.map(\.code) == ["replyToNoReplyCommand"])
        #expect(m.connectionFindings.first?.step == .quit)
    }

    @Test func aReplyWaitingBeforeQuitIsAFindingAndTheCloseStillFollows() {
        var m = Self.connected()
        #expect(m.quitRequested().text == "write Q")
        #expect(m.strayRepliesFound([.continue]).text == "close")
        #expect(m.closed().text == "finding unsolicitedReply")
        #expect(m.connectionFindings.first?.step == .connect)
    }

    @Test func sendmailTimeoutsMacrosAndNoAbortAfterEndOfMessage() {
        var m = Self.negotiated(.sendmail)
        #expect(m.connectRequested().text == "write D C")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "step C awaited c")
        #expect(m.messageRequested(Fixtures.message).text == "write D M")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D R")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D R")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write T")
        #expect(m.written().text == "wait 10000 ms")
        for _ in 0..<4 {
            #expect(m.eventReceived(.reply(.continue)).text == "write L")
            #expect(m.written().text == "wait 10000 ms")
        }
        #expect(m.eventReceived(.reply(.continue)).text == "write N")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write B")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D E")
        // Each reply within R (10 s) at end of message too; E (5 min) caps the step as a whole.
        #expect(m.written().text == "wait 10000 ms")
        // srvrsmtp.c answers REJECT after milter_data with 554.
        #expect(m.eventReceived(.reply(.reject)).text == "result reject 554 5.7.1 Command rejected")
    }

    @Test func sendmailRefusesProgressBeforeEndOfMessage() {
        var m = Self.negotiated(.sendmail)
        #expect(m.connectRequested().text == "write D C")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "step C awaited c")
        #expect(m.messageRequested(Fixtures.message).text == "write D M")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(.progress)).text == "close")
        #expect(m.closed().text == "result tempfail 451 4.3.2 Please try again later")
        #expect(m.quitRequested().text == "close")
        #expect(m.closed().text == "finding none")
    }

    @Test func connectLevelRejectClosesForPostfixAndQuitsForSendmail() {
        var postfix = Self.negotiated(.postfix)
        #expect(postfix.connectRequested().text == "write D C")
        #expect(postfix.written().text == "wait 30000 ms")
        #expect(postfix.eventReceived(.reply(.reject)).text == "close")
        #expect(postfix.closed().text == "step C awaited r 554 mx.example.test ESMTP not accepting connections")
        #expect(postfix.heloRequested(nil).text == "step H notSent")

        var sendmail = Self.negotiated(.sendmail)
        #expect(sendmail.connectRequested().text == "write D C")
        #expect(sendmail.written().text == "wait 10000 ms")
        #expect(
            sendmail.eventReceived(.reply(.reject)).text
                == "step C awaited r 554 mx.example.test ESMTP not accepting messages")
        #expect(sendmail.quitRequested().text == "write Q")
    }

    @Test func skipEndsTheBodyAndNoReplyStepsAreNotAwaited() {
        var m = Self.negotiated(.postfix, flags: [.skip, .noReplyHeader, .noConnect, .noHelo])
        #expect(m.connectRequested().text == "write D")
        #expect(m.written().text == "step C skipped")
        var message = Fixtures.message
        message.recipients = [Fixtures.recipients[0]]
        message.body = Array(repeating: UInt8(ascii: "x"), count: 200_000)
        #expect(m.messageRequested(message).text == "write D M")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D R")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D T")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D L")
        #expect(m.written().text == "write D L")
        #expect(m.written().text == "write D L")
        #expect(m.written().text == "write D L")
        #expect(m.written().text == "write D N")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D B")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.skip)).text == "write D E")
        #expect(m.written().text == "wait 300000 ms")
        #expect(m.eventReceived(.reply(.accept)).text == "write A")
        #expect(m.written().text == "result accept")
    }

    @Test func aReplyWaitingBeforeTheNextCommandIsAFinding() {
        var m = Self.connected()
        #expect(m.messageRequested(Fixtures.message).text == "write D M")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "write D R")
        #expect(m.strayRepliesFound([.continue]).text == "close")
        #expect(m.closed().text == "result tempfail 451 4.7.1 Service unavailable - try again later")
    }

    @Test func stepByStepTakesTheSameRulesAsAWholeMessage() {
        var m = Self.connected()
        #expect(m.transactionStepRequested(.mail(Fixtures.sender)).text == "write D M")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.continue)).text == "step M awaited c")
        #expect(m.transactionStepRequested(.recipient(Fixtures.recipients[0])).text == "write D R")
        #expect(m.written().text == "wait 30000 ms")
        #expect(m.eventReceived(.reply(.replyCode("550 5.1.1 no"))).text == "step R awaited y 550 5.1.1 no")
        #expect(m.transactionStepRequested(.data).text == "step T notSent")
        #expect(m.endOfTransactionRequested().text == "write A")
        #expect(m.written().text == "result reject 554 5.5.1 Error: no valid recipients")
    }

    @Test func durationsComeFromTheInjectedClock() {
        var m = Self.connected()
        let start = NIODeadline.now()
        m.now = { start }
        #expect(m.transactionStepRequested(.mail(Fixtures.sender)).text == "write D M")
        #expect(m.written().text == "wait 30000 ms")
        m.now = { start + .milliseconds(5) }
        guard case .deliverStep(let record) = m.eventReceived(.reply(.continue)) else {
            Issue.record("MAIL did not end with its record")
            return
        }
        #expect(record.duration == .milliseconds(5))
    }
}
