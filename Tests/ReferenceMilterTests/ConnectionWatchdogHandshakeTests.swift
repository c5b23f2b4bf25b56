import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// The watchdog's one timer keeps the handshake deadline beside the other timeouts: a connection without CONNECT
/// by then is closed with the handshake timeout, one with it is left to the idle, read and frame timeouts.
@Suite struct ConnectionWatchdogHandshakeTests {
    /// An embedded loop, a watchdog checking the handshake (2 s; idle 10 s, read 5 s, frame 3 s) and what expired.
    private final class Rig {
        let loop = EmbeddedEventLoop()
        let watchdog = ConnectionWatchdog(
            timeouts: ConnectionTimeouts(
                idle: .seconds(10), read: .seconds(5), handshake: .seconds(2), frame: .seconds(3)))
        var expired: [String] = []
        var connected = false
        /// Kept here: the watchdog holds its probe unowned.
        private var probe: ClosureWatchdogProbe?

        init(checkingHandshake: Bool = true) {
            let probe = ClosureWatchdogProbe(
                connected: { [unowned self] in connected }, expired: { [unowned self] in expired.append($0) })
            self.probe = probe
            watchdog.start(on: loop, probe: probe, checkingHandshake: checkingHandshake)
        }

        func advance(_ milliseconds: Int64) { loop.advanceTime(by: .milliseconds(milliseconds)) }
    }

    @Test func noCONNECTByTheDeadlineIsAHandshakeTimeout() {
        let rig = Rig()
        rig.advance(1_999)
        #expect(rig.expired.isEmpty)
        rig.advance(1)
        #expect(rig.expired == ["handshake timeout"])
        rig.advance(20_000)
        #expect(rig.expired == ["handshake timeout"], "expired once, the timer stopped")
    }

    @Test func afterCONNECTTheOtherTimeoutsStillAct() {
        let rig = Rig()
        rig.advance(1_000)
        rig.connected = true
        rig.watchdog.noteActivity()
        rig.advance(1_000)
        #expect(rig.expired.isEmpty, "CONNECT came at 1 s")
        rig.advance(8_999)
        #expect(rig.expired.isEmpty, "activity at 1 s: idle until 11 s")
        rig.advance(1)
        #expect(rig.expired == ["idle timeout"])

        let framed = Rig()
        framed.connected = true
        framed.advance(1_500)
        framed.watchdog.notePartialFrame()
        framed.advance(2_999)
        #expect(framed.expired.isEmpty, "the frame began at 1.5 s: due at 4.5 s")
        framed.advance(1)
        #expect(framed.expired == ["frame timeout"])
    }

    @Test func withoutTheHandshakeCheckOnlyTheOtherTimeoutsAct() {
        let rig = Rig(checkingHandshake: false)
        rig.advance(9_999)
        #expect(rig.expired.isEmpty)
        rig.advance(1)
        #expect(rig.expired == ["idle timeout"])
    }
}
