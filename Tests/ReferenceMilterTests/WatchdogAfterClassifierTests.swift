import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import ReferenceMilter

/// The idle and read timeouts count from the server's answer, not from when the watchdog last found the
/// classifier at work: a classifier slower than the timer's period left the MTA only part of its timeout.
@Suite(.tags(.integration), .timingSensitive) struct WatchdogAfterClassifierTests {
    /// Takes `delay` for every message, notes when it is done, then accepts.
    struct SlowClassifier: MailClassifier {
        let delay: Duration
        /// When the last classification ended: before the server's answer.
        let done = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

        func classify(_ mail: MailInfo) async throws -> Decision {
            try await Task.sleep(for: delay)
            done.withLockedValue { $0 = .now }
            return .accept("slow")
        }
    }

    @Test func theMTAHasItsWholeIdleTimeoutAfterASlowVerdict() async throws {
        // The timer looks every 2 s; the classifier answers 3.5 s after EOM, between two looks. Before, the
        // look at 2 s set the last activity then, so the idle timeout ran out at 4 s: 0.5 s after the answer.
        let classifier = SlowClassifier(delay: .milliseconds(3_500))
        let milter = try await startMilter(classifier) {
            $0.timeouts.idle = .seconds(2)
            $0.timeouts.read = .seconds(2)
            $0.timeouts.frame = .seconds(2)
            $0.classifierTimeout = .seconds(30)
        }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await mta.negotiate()
        #expect(try await mta.message([Cmd.connect, Cmd.helo] + Cmd.message(subject: "first")).last == .accept)
        // The idle timeout closes the connection no sooner than 2 s after the answer. A lower bound only: the
        // classifier notes its end before the answer, and this test sees the close at or after it, however
        // starved. (It used to send a second message 1.2 s after the accept came, which a test starved for 0.8 s
        // more sent too late.)
        #expect(try await mta.isClosed())
        let closed = ContinuousClock.now
        let answered = try #require(classifier.done.withLockedValue { $0 })
        #expect(closed - answered >= .seconds(2), "closed by the idle timeout counted from before the answer")
        await mta.close()
        await milter.shutdown()
    }
}
