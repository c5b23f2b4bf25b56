import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// Every step has a deadline besides the timeout per reply: a milter that keeps a step alive
/// with PROGRESS, or replies faster than time passes, still ends with a `deadline` finding. The
/// machine is driven on a virtual clock: no socket, no sleep.
@Suite struct StepDeadlineTests {
    typealias Machine = MTAConnectionStateMachine

    /// Timeouts of 10 s per reply and a step deadline of 25 s.
    static func configuration(deadline: TimeAmount = .seconds(25)) -> MilterClientConfiguration {
        var configuration = Fixtures.configuration()
        configuration.timeouts = MilterTimeouts(
            connect: .seconds(10), command: .seconds(10), content: .seconds(10), endOfMessage: .seconds(10),
            stepDeadline: deadline)
        return configuration
    }

    @Test func theDefaultDeadlineIsTwiceTheLongestTimeout() {
        #expect(MilterTimeouts.postfix.stepDeadline == .seconds(600))
        // Sendmail's own: each reply within R (10 s), end of message as a whole within E (5 min).
        #expect(MilterTimeouts.sendmail.timeout(for: .endOfMessage) == .seconds(10))
        #expect(MilterTimeouts.sendmail.stepDeadline == .minutes(5))
        #expect(MilterTimeouts(all: .seconds(5)).stepDeadline == .seconds(10))
        #expect(MilterTimeouts(all: .nanoseconds(.max)).stepDeadline == .nanoseconds(.max))
    }

    @Test func repliesThatOutrunTheClockEndAtTheDeadlineWithoutAWait() {
        let clock = NIOLockedValueBox(NIODeadline.now())
        var m = Machine(configuration: Self.configuration(), client: SMTPClient())
        m.now = { clock.withLockedValue { $0 } }
        #expect(m.negotiationRequested().text == "write O")
        #expect(m.written().text == "wait 10000 ms")
        #expect(m.eventReceived(.reply(Scripts.answer())).text == "step O awaited O")
        #expect(m.connectRequested().text == "write D C")
        #expect(m.written().text == "wait 10000 ms")
        clock.withLockedValue { $0 = $0 + .seconds(9) }
        #expect(m.eventReceived(.reply(.progress)).text == "wait 10000 ms")
        clock.withLockedValue { $0 = $0 + .seconds(9) }
        // 7 s of the deadline left: the wait is shortened to it.
        #expect(m.eventReceived(.reply(.progress)).text == "wait 7000 ms")
        clock.withLockedValue { $0 = $0 + .seconds(7) }
        // The reply came at the deadline itself: nothing is left to wait for.
        #expect(m.eventReceived(.reply(.progress)).text == "close")
        // Postfix greets as usual after a failure at CONNECT (the 451 waits for MAIL).
        #expect(m.closed().text == "step C awaited p p p finding:deadline")
        #expect(m.connectionFindings.map(\.kind) == [.deadline(.seconds(25), replies: 3, progress: 3)])
    }

    @Test func endlessProgressAtEndOfMessageEndsAtTheDeadline() throws {
        let endless: [ScriptedMilter.Action] = Array(
            repeating: [.pause(.seconds(8)), .reply(.progress)], count: 10_000
        )
        .flatMap { $0 }
        let connection = Fixtures.simulate(
            Scripts.wellBehaved(endOfMessage: endless), configuration: Self.configuration())
        let before = connection.milter.elapsed.withLockedValue { $0 }
        let result = connection.send(Fixtures.message)
        let finding = try #require(result.findings.first)
        // PROGRESS at 8, 16 and 24 s; the last wait is cut to the 1 s left.
        #expect(finding.kind == .deadline(.seconds(25), replies: 3, progress: 3))
        #expect(finding.step == .endOfMessage)
        #expect(
            finding.description
                == "at BODYEOB: no final reply within the step's deadline of 25 s (3 PROGRESS, 0 other replies)")
        #expect(result.verdict == .tempfail)
        let spent = connection.milter.elapsed.withLockedValue { $0 } - before
        #expect(spent == .seconds(25))
    }

    @Test func aSilentMilterIsATimeoutNotADeadline() throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.pause(.seconds(60)), .reply(.accept)]),
            configuration: Self.configuration())
        #expect(result.findings.map(\.kind) == [.timeout(.seconds(10))])
    }

    @Test func progressPastTheRecordLimitIsCountedNotKept() throws {
        var configuration = Self.configuration()
        configuration.limits.progressRecords = 3
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.together(Array(repeating: .progress, count: 10) + [.accept])]),
            configuration: configuration)
        #expect(result.findings.isEmpty)
        #expect(result.verdict == .accept)
        let end = try #require(result.steps.first { $0.command == .endOfMessage })
        #expect(end.replies == [.progress, .progress, .progress, .accept])
        #expect(end.omittedProgress == 7)
    }
}
