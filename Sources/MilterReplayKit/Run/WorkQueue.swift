import NIOConcurrencyHelpers

/// Hands out the messages of the run to the connections, in order, each with its start time
/// under `--rate`.
///
/// With a duration, no message is scheduled at or after its end, so a slow rate stops at the duration
/// rather than at the next scheduled start.
package final class WorkQueue: Sendable {
    /// One message to send.
    package struct Item: Sendable {
        /// The position in the run.
        package let sequence: Int
        /// Which corpus entry.
        package let entry: Int
        /// When to start it (open loop), after the run's start, if paced: a `Duration`, whose
        /// layout is known, so that an item is copied without the runtime's help (an `Instant`'s is not).
        package let scheduledOffset: Duration?
    }

    /// When to start `item` (open loop), if paced.
    package func scheduled(_ item: Item) -> ContinuousClock.Instant? { item.scheduledOffset.map { start + $0 } }

    /// The instant `offset` after the run's start.
    package func instant(at offset: Duration) -> ContinuousClock.Instant { start + offset }

    /// The time since the run's start: instants of a worker's message kept as offsets from it, `Duration`s
    /// whose layout is known, are copied and dropped without the runtime's help (an optional `Instant` took
    /// a value witness call for each, a dozen per message).
    package func elapsed() -> Duration { start.duration(to: .now) }

    private let corpusSize: Int
    private let total: Int?
    private let deadline: ContinuousClock.Instant?
    private let start: ContinuousClock.Instant
    private let interval: Duration?
    private let next = NIOLockedValueBox((sequence: 0, stopped: false))

    /// A queue of `corpusSize × repeat` items, or of items until `duration` has passed. `rate` is positive and
    /// finite (the command line checks its range); the interval is clamped to at least a nanosecond.
    package init(corpusSize: Int, repeat: Int, duration: Duration?, rate: Double?, start: ContinuousClock.Instant) {
        self.corpusSize = corpusSize
        let (product, overflow) = corpusSize.multipliedReportingOverflow(by: `repeat`)
        self.total = duration == nil ? (overflow ? Int.max : product) : nil
        self.deadline = duration.map { start + $0 }
        self.start = start
        self.interval = rate.map { Pacing(requestedRate: $0).interval }
    }

    /// The number of items, when known in advance.
    var count: Int? { total }

    /// The next item, or `nil` when the run is over.
    package func take() -> Item? {
        guard corpusSize > 0 else { return nil }
        return next.withLockedValue { state -> Item? in
            let value = state.sequence
            if state.stopped { return nil }
            if let total, value >= total { return nil }
            // The intended start: the nth interval after the start, however late the last message was.
            let offset = interval.map { $0 * value }
            if let deadline, ContinuousClock.now >= deadline || offset.map({ start + $0 >= deadline }) == true {
                return nil
            }
            state.sequence += 1
            return Item(sequence: value, entry: value % corpusSize, scheduledOffset: offset)
        }
    }

    /// Ends the run: ``take()`` gives nothing more.
    func stop() { next.withLockedValue { $0.stopped = true } }

    /// The items handed out so far.
    package var taken: Int { next.withLockedValue { $0.sequence } }

    /// The items the run was asked for: all of them when counted (`--repeat`), those scheduled before the end of
    /// the duration when paced (`--duration` with `--rate`); `nil` for a duration run that is not paced.
    package var due: Int? {
        if let total { return total }
        guard let deadline, let interval else { return nil }
        // The starts at 0, interval, 2 × interval … strictly before the deadline.
        let span = start.duration(to: deadline)
        let estimate = (span / interval).rounded(.up)
        guard estimate < 1e15 else { return Int.max }
        var count = max(0, Int(estimate))
        // The division is a double's: one off either way at an exact multiple.
        while count > 0, interval * (count - 1) >= span { count -= 1 }
        while interval * count < span { count += 1 }
        return count
    }
}
