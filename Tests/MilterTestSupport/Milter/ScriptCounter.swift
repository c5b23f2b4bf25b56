import NIOConcurrencyHelpers

/// A count a test (or a ``ScriptedMilter``'s script) raises, which a scripted action can wait for
/// (``ScriptedMilter/Action/waitFor(_:reaching:)``): a milter that answers only once something
/// happened elsewhere, so that a test checks an order of events instead of a timing.
package final class ScriptCounter: Sendable {
    private let state = NIOLockedValueBox((value: 0, waiters: [(target: Int, body: @Sendable () -> Void)]()))

    package init() {}

    /// The count now.
    package var value: Int { state.withLockedValue { $0.value } }

    /// Adds one and runs whatever waited for the new value.
    @discardableResult
    package func increment() -> Int {
        let (value, ready) = state.withLockedValue { state in
            state.value += 1
            let value = state.value
            let ready = state.waiters.filter { $0.target <= value }.map(\.body)
            state.waiters.removeAll { $0.target <= value }
            return (value, ready)
        }
        for body in ready { body() }
        return value
    }

    /// Runs `body` once the count reaches `target`: at once when it has.
    package func whenReaching(_ target: Int, _ body: @escaping @Sendable () -> Void) {
        let now = state.withLockedValue { state in
            guard state.value < target else { return true }
            state.waiters.append((target, body))
            return false
        }
        if now { body() }
    }
}
