import NIOConcurrencyHelpers

/// Watches connections after their QUIT, off the caller's path, for
/// ``MilterClientConfiguration/quitDrainTimeout``: ``MilterClientConnection/quit()`` returns at
/// once and the next connection does not wait, while the connection stays open in the background
/// until the milter closes, sends something (a finding), or the drain timeout passes.
///
/// One observer is shared by the connections of one configuration (copies of a configuration
/// share it). It bounds how many connections are watched at once: a connection that quits while
/// ``maximumConnections`` are watched closes at once, unobserved, and is counted in
/// ``unobserved``. ``idle()`` waits until every observation has ended and its handler has run.
public final class QuitObserver: Sendable {
    /// The most connections watched after QUIT at once.
    public let maximumConnections: Int
    /// The default of ``maximumConnections``.
    public static let defaultMaximumConnections = 1_024

    private struct State {
        var watched = 0
        var unobserved = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// An observer watching at most `maximumConnections` connections at once
    /// (``defaultMaximumConnections``, 1,024, by default).
    public init(maximumConnections: Int = defaultMaximumConnections) {
        precondition(maximumConnections >= 0, "maximumConnections must not be negative")
        self.maximumConnections = maximumConnections
    }

    /// Connections watched now.
    public var watched: Int { state.withLockedValue { $0.watched } }

    /// Connections that closed at once after QUIT, unobserved, because the observer was full.
    public var unobserved: Int { state.withLockedValue { $0.unobserved } }

    /// Waits until no connection is watched: every observation has ended and its handler has run.
    public func idle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLockedValue { state in
                guard state.watched > 0 else { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Takes a place for one connection: false, counted as unobserved, when the observer is full.
    func admit() -> Bool {
        state.withLockedValue { state in
            guard state.watched < maximumConnections else {
                state.unobserved += 1
                return false
            }
            state.watched += 1
            return true
        }
    }

    /// Gives back the place ``admit()`` took.
    func release() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.watched -= 1
            guard state.watched == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
