import MilterClient

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

    /// Whether any session reached the milter; until one does, the connect failure that stops the run, its session
    /// held back (a later one, from a session already under way, is reported as it comes), and the sessions taken
    /// from `next` but never tried because the run had stopped.
    let reachability = ReachabilityGate<SessionOutcome>() { $0.sequence ?? 0 }

    /// How a run ended, besides its outcomes.
    struct Ending {
        /// Why the milter cannot be reached, when no session reached it: the run stopped at the first connect
        /// failure (other than a local one, ``MilterClient/MilterConnectError/isLocal``) and reports no session.
        var unreachable: String?
        /// When a connect failed before any session reached the milter, stopping the run, and yet a session in
        /// flight reached it: that failure, and how many sessions were never tried (sessions taken but dropped
        /// plus `remaining()`). The sessions whose connect failed are reported as connection failures.
        var stoppedEarly: (reason: String, notSent: Int?)?
    }

    /// Runs every worker to completion. The run stops at the first connect failure while no session has reached
    /// the milter, unless the failure is local (out of file descriptors): see ``Ending``. `remaining` counts the
    /// sessions still due after such a stop (nil when that is not a count: a duration without a rate).
    func run(remaining: @Sendable () -> Int?) async -> Ending {
        await BlockingThread.run(connections) { _ in worker() }
        return ending(remaining: remaining)
    }

    /// How the run ended, once every worker is done; reports the sessions held back by a connect failure when a
    /// session reached the milter after all.
    func ending(remaining: () -> Int?) -> Ending {
        let gate = reachability.ending(notSent: remaining, report: report)
        return Ending(unreachable: gate.unreachable, stoppedEarly: gate.stoppedEarly)
    }

    private func worker() {
        while !reachability.stopped, let work = next() {
            // Another worker may have found the milter unreachable while this one waited for work.
            if reachability.skipIfStopped() { return }
            if let scheduled = work.scheduled { BlockingSleep.until(scheduled) }
            let (result, local) = outcome(work)
            if settle(result, local: local) { return }
        }
    }

    /// Reports `result`, or holds it back and stops the run when its connect failed, not for a `local` reason
    /// (``MilterClient/MilterConnectError/isLocal``), before any session reached the milter; returns whether the
    /// run stopped.
    func settle(_ result: SessionOutcome, local: Bool) -> Bool {
        guard case .connectFailed(let reason) = result.result else {
            reachability.reached()
            report(result)
            return false
        }
        return reachability.failed(result, reason: reason, local: local, report: report)
    }

    /// The session's outcome, and whether its connect failed for a local reason.
    private func outcome(_ work: PcapWork) -> (SessionOutcome, local: Bool) {
        let script = work.script
        let start = ContinuousClock.now
        do {
            let (comparison, duration) = try replayer.compare(script, entry: work.entry)
            let latency = work.scheduled.map { $0.duration(to: .now) } ?? duration
            let outcome = SessionOutcome(
                sequence: work.sequence, label: script.label, result: .compared(comparison), latency: latency)
            return (outcome, false)
        } catch {
            let outcome = SessionOutcome(
                sequence: work.sequence, label: script.label, result: .connectFailed(error.description),
                latency: start.duration(to: .now))
            return (outcome, error.isLocal)
        }
    }
}
