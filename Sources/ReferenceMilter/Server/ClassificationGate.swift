import NIOConcurrencyHelpers

/// A counting semaphore for classifications: at most `limit` run at once, the rest wait in order.
///
/// A waiter that is cancelled (its classification timed out while queued) leaves the queue and
/// takes no slot, so no failure can leak capacity.
final class ClassificationGate: Sendable {
    private struct State {
        var available: Int
        var nextID = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }
    private let state: NIOLockedValueBox<State>

    /// The largest number of concurrent holders.
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
        state = NIOLockedValueBox(State(available: max(1, limit)))
    }

    /// The slots free right now (for tests and metrics).
    var available: Int { state.withLockedValue { $0.available } }

    /// Waits for a slot; throws `CancellationError` if the task is cancelled while waiting.
    func acquire() async throws {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted = state.withLockedValue { state -> Bool in
                    if Task.isCancelled { return false }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return false
                }
                if granted {
                    continuation.resume()
                } else if Task.isCancelled, !isQueued(id) {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let cancelled = state.withLockedValue { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    private func isQueued(_ id: Int) -> Bool { state.withLockedValue { $0.waiters.contains { $0.id == id } } }

    /// Frees a slot, handing it to the first waiter if there is one.
    func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
