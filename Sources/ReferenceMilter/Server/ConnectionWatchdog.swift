import NIOCore

/// Closes a connection whose MTA stays silent too long, or trickles a frame.
///
/// One timer per connection, re-armed lazily: activity only records a time, and the timer, when
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

    /// What the watchdog asks its connection.
    struct Probe {
        /// Whether a message is in progress: the read timeout applies instead of the idle one.
        var isInsideMessage: () -> Bool
        /// Whether the classifier is working: no timeout applies.
        var isBusy: () -> Bool
        /// Whether the connection reads from the MTA (not while the MTA does not read our replies).
        var isReading: () -> Bool
        /// Called once when a timeout expires, with the timeout's name.
        var expired: (String) -> Void
    }

    private let timeouts: ConnectionTimeouts
    // Without the runtime's exclusivity checks in release builds (the connection notes activity and
    // frames for every read): used on one event loop only; debug builds, which the tests run, keep them.
    #if DEBUG
    private var lastActivity = NIODeadline.now()
    /// Since when a frame has been arriving (its first byte, or the end of our last pause in reading).
    private var partialFrameSince: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var eventLoop: (any EventLoop)?
    private var probe: Probe?
    /// Whether a late timer has already given the connection one more timeout since the MTA last sent.
    private var graceGiven = false
    #else
    // The same, unchecked.
    @exclusivity(unchecked) private var lastActivity = NIODeadline.now()
    @exclusivity(unchecked) private var partialFrameSince: NIODeadline?
    @exclusivity(unchecked) private var timer: Scheduled<Void>?
    @exclusivity(unchecked) private var timerDeadline: NIODeadline?
    @exclusivity(unchecked) private var eventLoop: (any EventLoop)?
    @exclusivity(unchecked) private var probe: Probe?
    @exclusivity(unchecked) private var graceGiven = false
    #endif

    init(timeouts: ConnectionTimeouts) { self.timeouts = timeouts }

    /// Records a whole command from the MTA.
    func noteActivity() {
        lastActivity = .now()
        graceGiven = false
    }

    /// Records that a read ended inside a frame: the rest must come within the frame timeout.
    func notePartialFrame() {
        guard partialFrameSince == nil else { return }
        let now = NIODeadline.now()
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
        partialFrameSince = .now()
    }

    /// Records that the frame in progress is complete.
    func noteFrameComplete() {
        partialFrameSince = nil
        graceGiven = false
    }

    /// Arms the timer.
    func start(on eventLoop: any EventLoop, probe: Probe) {
        self.probe = probe
        self.eventLoop = eventLoop
        lastActivity = .now()
        arm(on: eventLoop, at: lastActivity + min(timeouts.idle, timeouts.read))
    }

    /// Disarms the timer for good.
    func stop() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        probe = nil
    }

    private func arm(on eventLoop: any EventLoop, at deadline: NIODeadline) {
        timerDeadline = deadline
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fire(on: eventLoop)
        }
    }

    private func fire(on eventLoop: any EventLoop) {
        let scheduled = timerDeadline
        timerDeadline = nil
        guard let probe else { return }
        let now = NIODeadline.now()
        // Late: what the MTA sent may be waiting unread; once, the expiry waits one more timeout.
        let mayGrace = !graceGiven && scheduled.map { now - $0 > Self.lateness } ?? false
        if probe.isBusy() {
            lastActivity = now
            if partialFrameSince != nil { partialFrameSince = now }
            arm(on: eventLoop, at: now + min(timeouts.idle, timeouts.read, timeouts.frame))
            return
        }
        if let since = partialFrameSince {
            if !probe.isReading() {
                partialFrameSince = now
            } else if now >= since + timeouts.frame {
                if mayGrace {
                    graceGiven = true
                    partialFrameSince = now
                    arm(on: eventLoop, at: now + timeouts.frame)
                    return
                }
                stop()
                probe.expired("frame timeout")
                return
            }
        }
        let inside = probe.isInsideMessage()
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
        probe.expired(inside ? "read timeout" : "idle timeout")
    }
}
