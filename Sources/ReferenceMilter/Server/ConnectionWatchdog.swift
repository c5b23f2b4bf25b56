import NIOCore

/// Closes a connection whose MTA stays silent too long, or trickles a frame, or does not send CONNECT within the
/// handshake timeout.
///
/// One timer per connection, for the handshake deadline too, re-armed lazily: activity only records a time, and the timer, when
/// it fires early, sleeps again for the remainder. Time spent in the classifier does not count:
/// then the MTA is waiting for us, not we for it; nor, for a frame, time we do not read. Used on
/// the channel's event loop only.
///
/// Nor is the MTA blamed for the loop's own lateness: the loop runs its timers after the reads of its turn, so
/// when other connections held it past a deadline (each up to ``MilterConnectionHandler/commandsPerTurn``
/// commands of a flood, or a large message parsed), the command or the rest of the frame this MTA sent
/// meanwhile can be waiting unread. A timer that fires more than ``lateness`` late and finds a timeout expired
/// therefore gives the connection one more timeout of that kind, within which the loop reads what is waiting
/// first; a silent MTA is closed then, within twice the timeout. The grace is renewed only by the MTA: a whole command, a frame completed or a new one begun.
final class ConnectionWatchdog {
    /// How late the timer may fire before the loop counts as having been too busy to read: 100 ms.
    static let lateness = TimeAmount.milliseconds(100)

    private let timeouts: ConnectionTimeouts
    // Without the runtime's exclusivity checks in release builds (the connection notes activity and
    // frames for every read): used on one event loop only; debug builds, which the tests run, keep them.
    #if DEBUG
    private var lastActivity = NIODeadline.now()
    /// Since when a frame has been arriving (its first byte, or the end of our last pause in reading).
    private var partialFrameSince: NIODeadline?
    private var timer: NIOScheduledCallback?
    private var timerDeadline: NIODeadline?
    private var eventLoop: (any EventLoop)?
    /// The connection, asked when the timer fires; unowned: the connection owns the watchdog, and stops it.
    private unowned var probe: (any ConnectionWatchdogProbe)?
    /// Whether a late timer has already given the connection one more timeout since the MTA last sent.
    private var graceGiven = false
    /// When CONNECT is due, until the timer finds it received (``ConnectionWatchdogProbe/watchdogFindsConnected``).
    private var handshakeDue: NIODeadline?
    /// Whether a late timer has already given the handshake one more timeout.
    private var handshakeExtended = false
    #else
    // The same, unchecked.
    @exclusivity(unchecked) private var lastActivity = NIODeadline.now()
    @exclusivity(unchecked) private var partialFrameSince: NIODeadline?
    @exclusivity(unchecked) private var timer: NIOScheduledCallback?
    @exclusivity(unchecked) private var timerDeadline: NIODeadline?
    @exclusivity(unchecked) private var eventLoop: (any EventLoop)?
    @exclusivity(unchecked) private unowned var probe: (any ConnectionWatchdogProbe)?
    @exclusivity(unchecked) private var graceGiven = false
    @exclusivity(unchecked) private var handshakeDue: NIODeadline?
    @exclusivity(unchecked) private var handshakeExtended = false
    #endif

    init(timeouts: ConnectionTimeouts) { self.timeouts = timeouts }

    /// The time on the clock the timer is scheduled by: the event loop's (a testing loop's is virtual), the
    /// real clock only before ``start(on:probe:)``.
    private var now: NIODeadline { eventLoop?.now ?? .now() }

    /// Records a whole command from the MTA.
    func noteActivity() {
        lastActivity = now
        graceGiven = false
    }

    /// Records that the server answered after a classifier call: the MTA's wait for its next command, and for the
    /// rest of a frame it had begun, starts now, not when the timer last found the classifier at work.
    func noteAnswered() {
        let now = self.now
        lastActivity = now
        graceGiven = false
        if partialFrameSince != nil { partialFrameSince = now }
    }

    /// Records that a read ended inside a frame: the rest must come within the frame timeout.
    func notePartialFrame() {
        guard partialFrameSince == nil else { return }
        let now = self.now
        partialFrameSince = now
        graceGiven = false
        let due = now + timeouts.frame
        guard let eventLoop, probe != nil, timerDeadline.map({ $0 > due }) ?? true else { return }
        timer?.cancel()
        arm(on: eventLoop, at: due)
    }

    /// Records that the connection stopped or resumed reading from the MTA. A frame in progress is
    /// timed from the end of the pause: without this, a pause that ended just before the timer
    /// fired was counted whole (the timer sees only whether the connection reads when it fires).
    func noteReading(resumed: Bool) {
        guard resumed, partialFrameSince != nil else { return }
        partialFrameSince = now
    }

    /// Records that the frame in progress is complete.
    func noteFrameComplete() {
        partialFrameSince = nil
        graceGiven = false
    }

    /// Arms the timer; `checkingHandshake`, the connection is also closed when the handshake timeout expires
    /// before CONNECT
    /// (``ConnectionWatchdogProbe/watchdogFindsConnected``), with the timeout `"handshake timeout"`.
    ///
    /// The event loop runs its timers after the reads of its turn: when other connections held it past the
    /// deadline, the OPTNEG or CONNECT the peer sent meanwhile can be waiting unread. A timer that fires more than
    /// ``lateness`` late therefore gives the peer one more handshake timeout; a silent peer is closed then, at most
    /// twice the handshake timeout after it connected. The same timer serves every timeout: a second one per
    /// connection was a scheduling and a cancellation more on the loop's timer heap.
    func start(on eventLoop: any EventLoop, probe: any ConnectionWatchdogProbe, checkingHandshake: Bool = false) {
        self.probe = probe
        self.eventLoop = eventLoop
        lastActivity = eventLoop.now
        handshakeDue = checkingHandshake ? lastActivity + timeouts.handshake : nil
        handshakeExtended = false
        arm(on: eventLoop, at: lastActivity + min(timeouts.idle, timeouts.read))
    }

    /// Disarms the timer for good.
    func stop() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        probe = nil
    }

    /// Schedules the timer as a callback to this watchdog: no promise or closure is made for it, as
    /// `scheduleTask` makes them (a connection arms it at least once). The loop keeps the watchdog until the
    /// callback runs or ``stop()`` cancels it. A loop shutting down schedules nothing: its connections close.
    private func arm(on eventLoop: any EventLoop, at deadline: NIODeadline) {
        // The handshake deadline first, when it comes before.
        let deadline = handshakeDue.map { min($0, deadline) } ?? deadline
        timerDeadline = deadline
        timer = try? eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self)
    }

    private func fire(on eventLoop: any EventLoop) {
        let scheduled = timerDeadline
        timerDeadline = nil
        guard let probe else { return }
        let now = eventLoop.now
        if let due = handshakeDue, now >= due {
            if probe.watchdogFindsConnected {
                handshakeDue = nil
            } else if !handshakeExtended, now - due > Self.lateness {
                // Late: the peer's OPTNEG or CONNECT may be waiting unread; once, it gets one more timeout.
                handshakeExtended = true
                handshakeDue = now + timeouts.handshake
            } else {
                stop()
                probe.watchdogExpired("handshake timeout")
                return
            }
        }
        // Late: what the MTA sent may be waiting unread; once, the expiry waits one more timeout.
        let mayGrace = !graceGiven && scheduled.map { now - $0 > Self.lateness } ?? false
        if probe.watchdogFindsBusy {
            lastActivity = now
            if partialFrameSince != nil { partialFrameSince = now }
            arm(on: eventLoop, at: now + min(timeouts.idle, timeouts.read, timeouts.frame))
            return
        }
        if let since = partialFrameSince {
            if !probe.watchdogFindsReading {
                partialFrameSince = now
            } else if now >= since + timeouts.frame {
                if mayGrace {
                    graceGiven = true
                    partialFrameSince = now
                    arm(on: eventLoop, at: now + timeouts.frame)
                    return
                }
                stop()
                probe.watchdogExpired("frame timeout")
                return
            }
        }
        let inside = probe.watchdogFindsMessage
        let due = lastActivity + (inside ? timeouts.read : timeouts.idle)
        guard now >= due else {
            // A message may start before `due` and bring the shorter read timeout: look again by then.
            var next = min(due, now + min(timeouts.idle, timeouts.read))
            if let since = partialFrameSince { next = min(next, since + timeouts.frame) }
            arm(on: eventLoop, at: next)
            return
        }
        if mayGrace {
            graceGiven = true
            lastActivity = now
            var next = now + min(timeouts.idle, timeouts.read)
            if let since = partialFrameSince { next = min(next, since + timeouts.frame) }
            arm(on: eventLoop, at: next)
            return
        }
        stop()
        probe.watchdogExpired(inside ? "read timeout" : "idle timeout")
    }
}

extension ConnectionWatchdog: NIOScheduledCallbackHandler {
    /// The timer is due: looks at the connection (``arm(on:at:)``).
    func handleScheduledCallback(eventLoop: some EventLoop) {
        guard let loop = self.eventLoop else { return }
        fire(on: loop)
    }
}

/// What a ``ConnectionWatchdog`` asks its connection when its timer fires: a protocol the connection's handler
/// takes, not closures, so that a connection makes no closure contexts for it.
protocol ConnectionWatchdogProbe: AnyObject {
    /// Whether CONNECT has come: the handshake timeout no longer applies.
    var watchdogFindsConnected: Bool { get }
    /// Whether a message is in progress: the read timeout applies instead of the idle one.
    var watchdogFindsMessage: Bool { get }
    /// Whether the classifier is working: no timeout applies.
    var watchdogFindsBusy: Bool { get }
    /// Whether the connection reads from the MTA (not while the MTA does not read our replies).
    var watchdogFindsReading: Bool { get }
    /// Called once when a timeout expires, with the timeout's name.
    func watchdogExpired(_ timeout: String)
}
