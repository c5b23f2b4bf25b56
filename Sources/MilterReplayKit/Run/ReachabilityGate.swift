import NIOConcurrencyHelpers

/// Whether a replay run reached the milter, for the runners of messages (``ReplayRunner``) and of captured sessions
/// (``PcapReplayRunner``): until one connection has reached the milter, the first connect failure that is not local
/// (``MilterClient/MilterConnectError/isLocal``) means the milter may be unreachable. The run stops there, and its
/// outcome is held back: reported at the end only if a connection reached the milter after all. A local failure
/// says nothing of the milter and is reported as it comes, as is every failure once the milter was reached.
final class ReachabilityGate<Outcome: Sendable>: Sendable {
    /// How a run ended, as far as reaching the milter goes.
    struct Ending {
        /// Why the milter cannot be reached, when the run stopped and no connection reached it.
        var unreachable: String?
        /// When the run stopped and yet a connection reached the milter: the failure that stopped it, and how much
        /// work was never tried (`nil` when that is not a count).
        var stoppedEarly: (reason: String, notSent: Int?)?
    }

    private struct State {
        var reached = false
        /// The failure that stopped the run.
        var firstFailure: String?
        var heldBack: [Outcome] = []
        /// Work taken after the run stopped, and never tried.
        var skipped = 0
    }

    private let state = NIOLockedValueBox(State())
    /// Where an outcome goes in the run, to report the outcomes held back in order.
    private let position: @Sendable (Outcome) -> Int
    /// A gate whose held-back outcomes are reported in the order of `position`.
    init(position: @escaping @Sendable (Outcome) -> Int) { self.position = position }

    /// A connection reached the milter.
    func reached() { state.withLockedValue { $0.reached = true } }

    /// Whether the run stopped at a failure.
    var stopped: Bool { state.withLockedValue { $0.firstFailure != nil } }

    /// Whether the run stopped; if it did, the piece of work just taken is counted as never tried.
    func skipIfStopped() -> Bool {
        state.withLockedValue { state in
            guard state.firstFailure != nil else { return false }
            state.skipped += 1
            return true
        }
    }

    /// A connect failed, for `reason`, with `outcome`: reports it, or, when no connection has reached the milter
    /// and the failure is not `local`, holds it back and returns true: the run stops. A failure after the one that
    /// stopped the run (connections opened at once) is held back likewise: a milter that cannot be reached gets no
    /// outcome reported, only the ending's reason.
    func failed(_ outcome: Outcome, reason: String, local: Bool, report: (Outcome) -> Void) -> Bool {
        let stops =
            !local
            && state.withLockedValue { state in
                guard !state.reached else { return false }
                state.firstFailure = state.firstFailure ?? reason
                state.heldBack.append(outcome)
                return true
            }
        if !stops { report(outcome) }
        return stops
    }

    /// How the run ended, once all its work is done. When the run stopped and a connection reached the milter
    /// after all, reports the outcomes held back, and counts as not sent the work skipped and `notSent()`, the
    /// rest (asked for only then; `nil` when that is not a count).
    func ending(notSent: () -> Int?, report: (Outcome) -> Void) -> Ending {
        let state = state.withLockedValue { $0 }
        guard let firstFailure = state.firstFailure else { return Ending() }
        guard state.reached else { return Ending(unreachable: firstFailure) }
        for outcome in state.heldBack.sorted(by: { position($0) < position($1) }) { report(outcome) }
        return Ending(stoppedEarly: (reason: firstFailure, notSent: notSent().map { $0 + state.skipped }))
    }
}
