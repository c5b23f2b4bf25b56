import NIOCore

/// Closes a connection whose MTA stays silent too long.
///
/// One timer per connection, re-armed lazily: activity only records a time, and the timer, when
/// it fires early, sleeps again for the remainder. Time spent in the classifier does not count:
/// then the MTA is waiting for us, not we for it. Used on the channel's event loop only.
final class ConnectionWatchdog {
    /// What the watchdog asks its connection.
    struct Probe {
        /// Whether a message is in progress: the read timeout applies instead of the idle one.
        var isInsideMessage: () -> Bool
        /// Whether the classifier is working: no timeout applies.
        var isBusy: () -> Bool
        /// Called once when a timeout expires, with the timeout's name.
        var expired: (String) -> Void
    }

    private let timeouts: ConnectionTimeouts
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var probe: Probe?

    init(timeouts: ConnectionTimeouts) { self.timeouts = timeouts }

    /// Records traffic from the MTA.
    func noteActivity() { lastActivity = .now() }

    /// Arms the timer.
    func start(on eventLoop: any EventLoop, probe: Probe) {
        self.probe = probe
        lastActivity = .now()
        arm(on: eventLoop, at: lastActivity + min(timeouts.idle, timeouts.read))
    }

    /// Disarms the timer for good.
    func stop() {
        timer?.cancel()
        timer = nil
        probe = nil
    }

    private func arm(on eventLoop: any EventLoop, at deadline: NIODeadline) {
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fire(on: eventLoop)
        }
    }

    private func fire(on eventLoop: any EventLoop) {
        guard let probe else { return }
        let now = NIODeadline.now()
        if probe.isBusy() {
            lastActivity = now
            arm(on: eventLoop, at: now + min(timeouts.idle, timeouts.read))
            return
        }
        let inside = probe.isInsideMessage()
        let due = lastActivity + (inside ? timeouts.read : timeouts.idle)
        guard now >= due else {
            // A message may start before `due` and bring the shorter read timeout: look again by then.
            arm(on: eventLoop, at: min(due, now + min(timeouts.idle, timeouts.read)))
            return
        }
        stop()
        probe.expired(inside ? "read timeout" : "idle timeout")
    }
}
