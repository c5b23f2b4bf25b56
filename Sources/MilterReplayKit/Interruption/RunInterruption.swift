import Dispatch
import NIOConcurrencyHelpers
import _MilterSystem

/// SIGINT and SIGTERM during a run, once ``install()`` is called: the first stops the run from starting new work
/// (the handlers given to ``onSignal(_:)``) and lets the work in flight end; when it has not ended within
/// ``drainBound``, the run's ``cut`` writes the reports of what ended, a milter `--start` started is stopped, and
/// the process exits with 128 + the signal. A second signal kills the started milter and exits at once.
package final class RunInterruption: Sendable {
    /// The one instance of the process: signals are the process's.
    package static let shared = RunInterruption()

    /// How long the work in flight has after the first signal before it is cut.
    package static let drainBound: Duration = .seconds(5)
    /// How long a started milter has to exit after SIGTERM when the run is cut, before SIGKILL.
    static let stopGrace: Duration = .seconds(5)

    private struct State {
        var signal: Int32?
        var handlers: [Int: @Sendable () -> Void] = [:]
        var nextHandler = 0
        var cut: (@Sendable (Int32) -> Void)?
        var ended = false
        var children: Set<pid_t> = []
        /// Set by ``install()``, once.
        var observer: SignalObserver?
    }

    private let state = NIOLockedValueBox(State())

    private init() {}

    /// Takes SIGINT and SIGTERM over from their default action (ending the process at once).
    package func install() {
        state.withLockedValue { state in
            guard state.observer == nil else { return }
            state.observer = SignalObserver([SIGINT, SIGTERM]) { [self] in received($0) }
        }
    }

    /// The first signal received, if any.
    package var signal: Int32? { state.withLockedValue { $0.signal } }

    /// Calls `handler` on the first signal, at once if it was received already; returns its key for
    /// ``removeHandler(_:)``. A handler only stops work from starting: it must not block.
    @discardableResult
    package func onSignal(_ handler: @escaping @Sendable () -> Void) -> Int {
        let (key, late) = state.withLockedValue { state in
            defer { state.nextHandler += 1 }
            if state.signal != nil { return (state.nextHandler, true) }
            state.handlers[state.nextHandler] = handler
            return (state.nextHandler, false)
        }
        if late { handler() }
        return key
    }

    /// Forgets a handler given to ``onSignal(_:)``.
    package func removeHandler(_ key: Int) { _ = state.withLockedValue { $0.handlers.removeValue(forKey: key) } }

    /// What writes the reports of the work that ended, with the signal, when the work in flight outlasts
    /// ``drainBound``; `nil`: nothing to write.
    package var cut: (@Sendable (Int32) -> Void)? {
        get { state.withLockedValue { $0.cut } }
        set { state.withLockedValue { $0.cut = newValue } }
    }

    /// The run's work ended: returns whether it may write its reports, false when ``cut`` has begun writing them
    /// (the process exits once it is done).
    package func workEnded() -> Bool {
        state.withLockedValue { state in
            defer { state.ended = true }
            return !state.ended
        }
    }

    /// Never returns: the run was cut, and the process ends when the cut is done.
    package func parkUntilExit() async -> Never {
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// A process to stop when the run is cut, and to kill at a second signal.
    func adopt(_ pid: pid_t) { _ = state.withLockedValue { $0.children.insert(pid) } }

    /// Forgets a process given to ``adopt(_:)``, once it is reaped.
    func release(_ pid: pid_t) { _ = state.withLockedValue { $0.children.remove(pid) } }

    /// `SIGINT`, `SIGTERM`, or `signal N`.
    package static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    /// The exit status of a run ended by `signal`: 128 + its number, as shells report a process it killed.
    package static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    private enum Reaction {
        case stop([@Sendable () -> Void])
        case exitNow(Set<pid_t>)
    }

    private func received(_ number: Int32) {
        let reaction = state.withLockedValue { state -> Reaction in
            if state.signal != nil { return .exitNow(state.children) }
            state.signal = number
            defer { state.handlers = [:] }
            return .stop(Array(state.handlers.values))
        }
        switch reaction {
        case .exitNow(let children):
            for pid in children { kill(pid, SIGKILL) }
            FileDescriptorWriter.standardError("milter-replay: second signal (\(Self.name(number))): exiting at once\n")
            _exit(Self.exitStatus(number))
        case .stop(let handlers):
            for handler in handlers { handler() }
            let bound = Self.drainBound.components
            let nanoseconds = Int(bound.seconds) * 1_000_000_000 + Int(bound.attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                boundPassed(number)
            }
        }
    }

    /// The work in flight did not end within ``drainBound``: cuts it, stops the started milter, exits.
    private func boundPassed(_ number: Int32) {
        let taken = state.withLockedValue { state -> (cut: (@Sendable (Int32) -> Void)?, children: Set<pid_t>)? in
            guard !state.ended else { return nil }
            state.ended = true
            return (state.cut, state.children)
        }
        guard let taken else { return }
        if let cut = taken.cut {
            cut(number)
        } else {
            FileDescriptorWriter.standardError(
                "milter-replay: interrupted by \(Self.name(number)): the work in flight did not end within "
                    + "\(Self.drainBound.components.seconds) s\n")
        }
        for pid in taken.children { Self.stop(pid) }
        _exit(Self.exitStatus(number))
    }

    /// SIGTERM, up to ``stopGrace`` for `pid` to exit, then SIGKILL; reaps it. Blocks.
    private static func stop(_ pid: pid_t) {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) != 0 { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + stopGrace
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            BlockingSleep.until(.now + .milliseconds(20))
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }
}
