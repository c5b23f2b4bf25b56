import MilterClient
import NIOConcurrencyHelpers

/// One session to replay.
struct PcapWork: Sendable {
    /// The position in the run (0, 1, 2…).
    let sequence: Int
    /// The session.
    let script: ReplayScript
    /// Its place among the sessions held in memory (`--repeat`, `--duration`); nil for a session
    /// read from the capture as the replay goes.
    var entry: Int? = nil
    /// When to start it (`--rate`), if paced.
    let scheduled: ContinuousClock.Instant?
}

/// Replays recorded sessions over `--connections` concurrent milter connections, one connection
/// per session, each worker on a thread of its own with a blocking socket, taking work from
/// `next` until it returns nil.
struct PcapReplayRunner: Sendable {
    let replayer: SessionReplayer
    let connections: Int
    /// The next session to replay, waiting for the capture reader if need be; nil when the run is over.
    let next: @Sendable () -> PcapWork?
    /// Called once per session, as soon as it is compared.
    let report: @Sendable (SessionOutcome) -> Void

    /// Whether any session reached the milter, why the first failed connection failed, and whether the run
    /// stopped for it.
    let reachability = NIOLockedValueBox((connected: false, firstFailure: String?.none, stopped: false))

    /// Runs every worker to completion. Returns why the milter cannot be reached when no connection could be
    /// opened at all: the run stops at the first failure then, and reports no session for it.
    func run() async -> String? {
        await BlockingThread.run(connections) { _ in worker() }
        return reachability.withLockedValue { $0.stopped ? $0.firstFailure : nil }
    }

    private func worker() {
        while !reachability.withLockedValue(\.stopped), let work = next() {
            // Another worker may have found the milter unreachable while this one waited for work.
            if reachability.withLockedValue(\.stopped) { return }
            if let scheduled = work.scheduled { BlockingSleep.until(scheduled) }
            let result = outcome(work)
            let unreachable = reachability.withLockedValue { state in
                guard case .connectFailed(let reason) = result.result else {
                    state.connected = true
                    return false
                }
                if !state.connected, !state.stopped {
                    state.firstFailure = reason
                    state.stopped = true
                }
                return state.stopped
            }
            if unreachable { return }
            report(result)
        }
    }

    private func outcome(_ work: PcapWork) -> SessionOutcome {
        let script = work.script
        let start = ContinuousClock.now
        do {
            let (comparison, duration) = try replayer.compare(script, entry: work.entry)
            let latency = work.scheduled.map { $0.duration(to: .now) } ?? duration
            return SessionOutcome(
                sequence: work.sequence, label: script.label, result: .compared(comparison), latency: latency)
        } catch {
            return SessionOutcome(
                sequence: work.sequence, label: script.label, result: .connectFailed(error.description),
                latency: start.duration(to: .now))
        }
    }
}
