import NIOConcurrencyHelpers
import _MilterSystem

/// Runs closures on threads of their own (POSIX threads, not Swift's cooperative pool): the
/// threads of ``BlockingMilterConnection``, which block in `poll` and `read`.
package enum BlockingThread {
    /// The stack of each thread: 1 MiB rather than the usual 8.
    private static let stackSize = 1 << 20

    /// Runs `body` on a new detached thread.
    package static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // A connection's work needs little stack; thousands of connections need thousands of threads.
        pthread_attr_setstacksize(&attributes, stackSize)
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let status = pthread_create(
            &thread, &attributes,
            { raw in
                #if canImport(Darwin)
                let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
                #else
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                #endif
                body.run()
                return nil
            }, box)
        precondition(status == 0, "pthread_create failed: \(SystemCall.errorText(status))")
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

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
