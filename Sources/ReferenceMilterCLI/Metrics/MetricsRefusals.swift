import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The metrics connections refused over ``MetricsEndpoint/Limits/maximumConnections``: each is counted in
/// `milter_metrics_connections_refused_total`, and the log says so at most once per ``logInterval``, with the
/// refusals since its last such line: a flood of connections must not flood the log as well. Refusals that come
/// within the interval are said when it has passed, by a flush scheduled on the event loop, even if no other
/// refusal comes; ``stop()`` cancels it.
final class MetricsRefusals: Sendable {
    /// The least time between two log lines.
    static let logInterval = TimeAmount.seconds(60)

    private struct State {
        /// When the last line was logged.
        var logged: NIODeadline?
        /// Refusals since then.
        var unsaid = 0
        /// Whether a flush is scheduled (or being scheduled), and its task once it is.
        var flushPending = false
        var flush: Scheduled<Void>?
        var stopped = false
    }

    private let counter: Counter
    private let logger: Logger
    private let limit: Int
    private let interval: TimeAmount
    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    /// Refusals over `limit`, counted with `factory` (the bootstrapped one by default) and logged to `logger` at
    /// most once per `interval`; the time and the flush are `eventLoop`'s.
    init(
        limit: Int, logger: Logger, interval: TimeAmount = MetricsRefusals.logInterval,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any(),
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.limit = limit
        self.logger = logger
        self.interval = interval
        self.eventLoop = eventLoop
        counter = Counter(label: "milter_metrics_connections_refused_total", factory: factory)
    }

    /// One connection refused: said at once when no line was logged within the interval, else by the flush at
    /// its end.
    func refused() {
        counter.increment()
        let now = eventLoop.now
        let (said, flushAt) = state.withLockedValue { state -> (Int?, NIODeadline?) in
            state.unsaid += 1
            if let logged = state.logged, now - logged < interval {
                guard !state.flushPending, !state.stopped else { return (nil, nil) }
                state.flushPending = true
                return (nil, logged + interval)
            }
            defer { (state.logged, state.unsaid) = (now, 0) }
            return (state.unsaid, nil)
        }
        if let said { log(said) }
        guard let flushAt else { return }
        let task = eventLoop.scheduleTask(deadline: flushAt) { self.flush() }
        let cancel = state.withLockedValue { state -> Bool in
            guard !state.stopped, state.flushPending else { return true }
            state.flush = task
            return false
        }
        if cancel { task.cancel() }
    }

    /// Stops the scheduled flush (the endpoint stops): refusals not said yet stay in the counter only.
    func stop() {
        let flush = state.withLockedValue { state -> Scheduled<Void>? in
            state.stopped = true
            defer { state.flush = nil }
            return state.flush
        }
        flush?.cancel()
    }

    /// Says the refusals of the interval just ended, if any.
    private func flush() {
        let now = eventLoop.now
        let said = state.withLockedValue { state -> Int? in
            state.flushPending = false
            state.flush = nil
            guard !state.stopped, state.unsaid > 0 else { return nil }
            defer { (state.logged, state.unsaid) = (now, 0) }
            return state.unsaid
        }
        if let said { log(said) }
    }

    private func log(_ refused: Int) {
        logger.warning(
            "metrics connections refused: --metrics-max-connections are open (said at most once a minute)",
            metadata: ["limit": "\(limit)", "refused": "\(refused)"])
    }
}
