/// How well an open-loop run (`--rate`) kept its schedule.
///
/// Message `n` is due at `n / rate` seconds after the start. Its latency is measured from that
/// intended start, not from when a connection became free to send it, so a milter (or a
/// generator) that falls behind shows in the latencies instead of slowing the schedule down:
/// the correction wrk2 makes for coordinated omission. This records, per message, how late it
/// actually started, and from that the start rate achieved.
package struct Pacing: Sendable, Equatable {
    /// The rate asked for, messages per second.
    package private(set) var requestedRate: Double
    /// Messages started.
    package private(set) var started = 0
    /// Messages that started more than ``lateThreshold`` after their intended start.
    package private(set) var lateStarts = 0
    /// The largest delay between a message's intended and actual start.
    package private(set) var maximumLag = Duration.zero
    /// Messages due to start within the run (its duration, or its count), when told by ``scheduled(_:)``.
    package private(set) var due: Int?
    /// The latest actual start, from the start of the run.
    private var lastStart = Duration.zero
    /// The part of the run the schedule covered, when merged from several runs.
    private var mergedRates: Double?

    /// A start more than this after its intended start is late: a millisecond, or one interval
    /// when that is longer.
    package var lateThreshold: Duration { max(.milliseconds(1), interval) }

    /// The time between two intended starts.
    package var interval: Duration {
        let nanoseconds = (1e9 / requestedRate).rounded()
        return .nanoseconds(
            nanoseconds >= 1 && nanoseconds < 9e18 ? Int64(nanoseconds) : nanoseconds < 1 ? 1 : Int64(9e18))
    }

    /// Pacing at `rate` messages per second, nothing started yet.
    package init(requestedRate rate: Double) { self.requestedRate = rate }

    /// Pacing read back from a summary.
    package init(
        requestedRate: Double, achievedRate: Double, started: Int, lateStarts: Int, maximumLag: Duration,
        notStarted: Int = 0
    ) {
        self.requestedRate = requestedRate
        self.started = started
        if notStarted > 0 { due = started + notStarted }
        self.lateStarts = lateStarts
        self.maximumLag = maximumLag
        self.mergedRates = achievedRate
    }

    /// The intended start of message `sequence`, from the start of the run.
    package func intendedStart(of sequence: Int) -> Duration { interval * sequence }

    /// Message `sequence` started `lag` after its intended start.
    package mutating func started(_ sequence: Int, lag: Duration) {
        started += 1
        if lag > lateThreshold { lateStarts += 1 }
        maximumLag = max(maximumLag, lag)
        lastStart = max(lastStart, intendedStart(of: sequence) + max(lag, .zero))
    }

    /// The run asked for `due` messages: those whose intended start fell within its duration, or all of its
    /// `--repeat`. Those of them that never started (no connection came free in time) are ``notStarted``, and the
    /// achieved rate counts over their schedule.
    package mutating func scheduled(_ due: Int) { self.due = due }

    /// Messages due (``scheduled(_:)``) that never started.
    package var notStarted: Int { due.map { max(0, $0 - started) } ?? 0 }

    /// Messages started per second: those started over the time from the start of the run to one
    /// interval after the last start, or to one interval after the last message due, if later
    /// (exactly the requested rate when every start is on time).
    package var achievedRate: Double {
        if let mergedRates { return mergedRates }
        guard started > 0 else { return 0 }
        var span = Self.seconds(lastStart + interval)
        if let due, due > started { span = max(span, Self.seconds(interval) * Double(due)) }
        return Double(started) / span
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Whether the run started its messages at the requested rate (within 1 %), counting those due that never
    /// started.
    package var keptUp: Bool { achievedRate >= requestedRate * 0.99 }

    /// Two runs side by side (from two generator machines): their rates add up.
    package mutating func merge(_ other: Pacing) {
        let achieved = achievedRate + other.achievedRate
        requestedRate += other.requestedRate
        let notStarted = self.notStarted + other.notStarted
        started += other.started
        lateStarts += other.lateStarts
        due = notStarted > 0 ? started + notStarted : nil
        maximumLag = max(maximumLag, other.maximumLag)
        mergedRates = achieved
    }
}
