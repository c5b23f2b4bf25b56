import NIOConcurrencyHelpers
import _MilterSystem

/// Runs closures on threads of their own (POSIX threads, not Swift's cooperative pool): the
/// threads of ``BlockingMilterConnection``, which block in `poll` and `read`.
package enum BlockingThread {
    /// The stack of each thread: 1 MiB rather than the usual 8.
    private static let stackSize = 1 << 20

    /// Runs `body` on a new detached thread.
    package static func start(_ body: @escaping @Sendable () -> Void) {
        // A connection's work needs little stack; thousands of connections need thousands of threads.
        DetachedThread.start(stackSize: stackSize, body)
    }

    /// Runs `count` copies of `body` (each given its index) on threads of their own and returns
    /// once every one has returned.
    package static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
        guard count > 0 else { return }
        let state = NIOLockedValueBox((left: count, waiter: CheckedContinuation<Void, Never>?.none))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLockedValue { $0.waiter = continuation }
            for index in 0..<count {
                start {
                    body(index)
                    let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                        state.left -= 1
                        return state.left == 0 ? state.waiter : nil
                    }
                    waiter?.resume()
                }
            }
        }
    }
}
