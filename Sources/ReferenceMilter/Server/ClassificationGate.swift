import NIOConcurrencyHelpers

/// A counting semaphore for classifications: at most `limit` run at once, the rest wait in order.
///
/// A waiter that is cancelled (its classification timed out while queued) leaves the queue and
/// takes no slot, so no failure can leak capacity.
final class ClassificationGate: Sendable {
    private struct State {
        var available: Int
        var nextID = 0
        /// Waiters whose continuation is not registered yet, and whether a cancel came meanwhile:
        /// the cancel handler and the registration decide under the lock, never both resuming.
        var registering: [Int: Bool] = [:]
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

    /// Waiters queued right now (for tests).
    var queued: Int { state.withLockedValue { $0.waiters.count } }

    /// Waits for a slot; throws `CancellationError` if the task is cancelled while waiting.
    ///
    /// Each waiter is resumed exactly once: by this method (a free slot, or a cancel that came
    /// before the waiter was queued), by ``release()``, or by the cancel handler (a queued
    /// waiter), and which one is decided under the lock.
    func acquire() async throws {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            state.registering[state.nextID] = false
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLockedValue { state -> Result<Void, CancellationError>? in
                    let cancelled = state.registering.removeValue(forKey: id) ?? false
                    if cancelled || Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let queued = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
                if state.registering[id] != nil {
                    // Not queued yet: the registration sees this and throws.
                    state.registering[id] = true
                    return nil
                }
                return state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
            }
            queued?.resume(throwing: CancellationError())
        }
    }

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
