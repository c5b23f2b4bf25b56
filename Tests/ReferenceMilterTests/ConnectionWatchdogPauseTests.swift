import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import ReferenceMilter

/// The frame timeout does not count time the daemon does not read (the MTA does not read our
/// replies: backpressure), even when the pause ends just before the timer looks.
@Suite(.timingSensitive) struct ConnectionWatchdogPauseTests {
    static let frame = TimeAmount.seconds(1)
    /// The pause: from the frame's first byte until shortly before the frame timeout.
    static let pause = TimeAmount.milliseconds(600)

    @Test func aPauseInReadingIsNotCountedWhenItEndsBeforeTheTimerFires() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let expired = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let start = ContinuousClock.now
        loop.execute {
            var reading = true
            let watchdog = ConnectionWatchdog(
                timeouts: ConnectionTimeouts(idle: .seconds(600), read: .seconds(600), frame: Self.frame))
            let probe = ClosureWatchdogProbe(
                reading: { reading }, expired: { _ in expired.withLockedValue { $0 = .now } })
            watchdog.start(on: loop, probe: probe)
            // A read ends inside a frame, and the connection stops reading at once.
            watchdog.notePartialFrame()
            reading = false
            watchdog.noteReading(resumed: false)
            let isolated = loop.assumeIsolated()
            isolated.scheduleTask(in: Self.pause) {
                reading = true
                watchdog.noteReading(resumed: true)
            }
            // Holds the watchdog (its timer holds it weakly) and its probe (held unowned) until the test is over.
            isolated.scheduleTask(in: .seconds(20)) {
                watchdog.stop()
                withExtendedLifetime(probe) {}
            }
        }
        // The timer fires at 1 s, 0.4 s after reading resumed: the frame has had 0.4 s, not 1 s, and is not expired
        // then. Only the instant the probe noted is checked, not whether it is still unset at some later instant of
        // this test's: a test starved past 1.6 s would have found it set however right the watchdog was.
        let when = try await pollUntil("the frame timeout", timeout: .seconds(10), interval: .milliseconds(20)) {
            expired.withLockedValue { $0 }
        }
        // 1 s of reading after the pause: about 1.6 s after the frame began (1 s had the pause been counted).
        #expect(when - start >= .milliseconds(1_500), "the pause in reading was counted")
    }
}
