#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX thread of its own, detached, outside Swift's cooperative pool: for work that blocks, and for a thread that
/// must outlive whatever started it.
package enum DetachedThread {
    /// Runs `body` on a new detached thread with a stack of `stackSize` bytes.
    package static func start(stackSize: Int, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
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

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
