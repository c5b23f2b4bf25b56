import Synchronization

/// Hands out the messages of the run to the connections, in order, each with its start time
/// under `--rate`.
final class WorkQueue: Sendable {
    /// One message to send.
    struct Item: Sendable {
        /// The position in the run.
        let sequence: Int
        /// Which corpus entry.
        let entry: Int
        /// When to start it (open loop), if paced.
        let scheduled: ContinuousClock.Instant?
    }

    private let corpusSize: Int
    private let total: Int?
    private let deadline: ContinuousClock.Instant?
    private let start: ContinuousClock.Instant
    private let interval: Duration?
    private let next = Mutex(0)

    /// A queue of `corpusSize × repeat` items, or of items until `duration` has passed.
    init(corpusSize: Int, repeat: Int, duration: Duration?, rate: Double?, start: ContinuousClock.Instant) {
        self.corpusSize = corpusSize
        self.total = duration == nil ? corpusSize * `repeat` : nil
        self.deadline = duration.map { start + $0 }
        self.start = start
        self.interval = rate.map { Duration.nanoseconds(Int64(1e9 / $0)) }
    }

    /// The number of items, when known in advance.
    var count: Int? { total }

    /// The next item, or `nil` when the run is over.
    func take() -> Item? {
        guard corpusSize > 0 else { return nil }
        let sequence: Int? = next.withLock { value in
            if let total, value >= total { return nil }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            value += 1
            return value - 1
        }
        guard let sequence else { return nil }
        let scheduled = interval.map { start + $0 * sequence }
        return Item(sequence: sequence, entry: sequence % corpusSize, scheduled: scheduled)
    }
}
