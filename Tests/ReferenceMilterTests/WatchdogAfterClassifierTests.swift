import MilterProtocol
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// The idle and read timeouts count from the server's answer, not from when the watchdog last found the
/// classifier at work: a classifier slower than the timer's period left the MTA only part of its timeout.
@Suite(.tags(.integration), .timingSensitive) struct WatchdogAfterClassifierTests {
    /// Takes `delay` for every message, then accepts.
    struct SlowClassifier: MailClassifier {
        let delay: Duration

        func classify(_ mail: MailInfo) async throws -> Decision {
            try await Task.sleep(for: delay)
            return .accept("slow")
        }
    }

    @Test func theMTAHasItsWholeIdleTimeoutAfterASlowVerdict() async throws {
        // The timer looks every 2 s; the classifier answers 3.5 s after EOM, between two looks. Before, the
        // look at 2 s set the last activity then, so the idle timeout ran out at 4 s: 0.5 s after the answer.
        let milter = try await startMilter(SlowClassifier(delay: .milliseconds(3_500))) {
            $0.timeouts.idle = .seconds(2)
            $0.timeouts.read = .seconds(2)
            $0.timeouts.frame = .seconds(2)
            $0.classifierTimeout = .seconds(30)
        }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await mta.negotiate()
        #expect(try await mta.message([Cmd.connect, Cmd.helo] + Cmd.message(subject: "first")).last == .accept)
        // Within the idle timeout after the answer, past the point the old count ended.
        try await Task.sleep(for: .milliseconds(1_200))
        try await mta.send([.abort] + Cmd.message(subject: "second", queueID: "Q2"))
        #expect(try await mta.step().last == .accept, "closed by the idle timeout counted from before the answer")
        await mta.close()
        await milter.shutdown()
    }
}
