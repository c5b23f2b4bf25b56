import NIOConcurrencyHelpers

/// The outcome of a lookup once known: the first ``finish(_:)`` sets it, later ones are dropped. The
/// callbacks of ``onFinish(_:)`` and the waiters of ``value()`` then run, in the order they came.
///
/// Unlike a task group, waiting on it does not wait for whatever else could have finished it, so a
/// resolver that ignores cancellation cannot hold a lookup past its timeout.
final class DNSBLOutcome: Sendable {
    typealias Value = (result: DNSBLResult, ttl: UInt32)

    private enum State {
        case waiting([@Sendable (Value) -> Void])
        case done(Value)
    }

    private let state = NIOLockedValueBox(State.waiting([]))

    /// Sets the outcome, unless one is already set.
    func finish(_ value: Value) {
        let callbacks: [@Sendable (Value) -> Void] = state.withLockedValue { state in
            guard case .waiting(let callbacks) = state else { return [] }
            state = .done(value)
            return callbacks
        }
        for callback in callbacks { callback(value) }
    }

    /// Runs `callback` with the outcome once it is set (at once if it is).
    func onFinish(_ callback: @escaping @Sendable (Value) -> Void) {
        let value: Value? = state.withLockedValue { state in
            switch state {
            case .done(let value): return value
            case .waiting(let callbacks):
                state = .waiting(callbacks + [callback])
                return nil
            }
        }
        if let value { callback(value) }
    }

    /// The outcome; waits for it.
    func value() async -> Value {
        await withCheckedContinuation { continuation in onFinish { continuation.resume(returning: $0) } }
    }
}
