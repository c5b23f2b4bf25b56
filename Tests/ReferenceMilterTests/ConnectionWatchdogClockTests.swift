import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// The watchdog reads the clock of the event loop it schedules on: on a testing loop, whose time moves only
/// when the test advances it, its timeouts act at the virtual times they are due.
@Suite struct ConnectionWatchdogClockTests {
    /// An embedded loop, a watchdog started on it (idle 10 s, read 5 s, frame 3 s) and what expired, in order.
    private final class Rig {
        let loop = EmbeddedEventLoop()
        let watchdog = ConnectionWatchdog(
            timeouts: ConnectionTimeouts(idle: .seconds(10), read: .seconds(5), frame: .seconds(3)))
        var expired: [String] = []
        var insideMessage = false
        /// Kept here: the watchdog holds its probe unowned.
        private var probe: ClosureWatchdogProbe?

        init() {
            let probe = ClosureWatchdogProbe(
                message: { [unowned self] in insideMessage }, expired: { [unowned self] in expired.append($0) })
            self.probe = probe
            watchdog.start(on: loop, probe: probe)
        }

        func advance(_ seconds: Int64) { loop.advanceTime(by: .seconds(seconds)) }
    }

    @Test func theIdleTimeoutActsAtItsVirtualTime() {
        let rig = Rig()
        rig.advance(9)
        #expect(rig.expired.isEmpty)
        rig.advance(1)
        #expect(rig.expired == ["idle timeout"])
    }

    @Test func activityOnTheLoopsClockPutsTheTimeoutOff() {
        let rig = Rig()
        rig.advance(6)
        rig.watchdog.noteActivity()
        rig.advance(9)
        #expect(rig.expired.isEmpty, "activity at 6 s: idle until 16 s")
        rig.advance(1)
        #expect(rig.expired == ["idle timeout"])
    }

    @Test func theReadAndFrameTimeoutsActAtTheirVirtualTimes() {
        let rig = Rig()
        rig.insideMessage = true
        rig.advance(5)
        #expect(rig.expired == ["read timeout"])

        let framed = Rig()
        framed.advance(1)
        framed.watchdog.notePartialFrame()
        framed.advance(2)
        #expect(framed.expired.isEmpty, "the frame began at 1 s: due at 4 s")
        framed.advance(1)
        #expect(framed.expired == ["frame timeout"])
    }
}
