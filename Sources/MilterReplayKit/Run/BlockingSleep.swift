import _MilterSystem

/// Sleeps on a worker's own thread (not Swift's cooperative pool), for the scheduled starts of `--rate`.
enum BlockingSleep {
    /// Blocks the thread until `instant`; returns at once if it has passed.
    static func until(_ instant: ContinuousClock.Instant) {
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: instant).components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}
