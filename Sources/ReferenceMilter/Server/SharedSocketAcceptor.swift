import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import _MilterSystem

/// Accepts connections on an inherited listening socket that other processes may accept on too.
///
/// reload-proxy hands one listening socket to successive daemons, and during a reload two of them
/// accept on it. Every waiting process wakes when a connection arrives and all but one find nothing
/// to accept; NIO's server channel treats that as impossible (a debug-build assertion that kills the
/// daemon and the sessions it serves). This acceptor is made for sharing instead: one thread waits
/// with `poll`, accepts without blocking (`EAGAIN` means another process took the connection), and
/// hands each connection to the event loops; `stop()` ends the loop within ``pollInterval``.
/// Connections it has not accepted stay in the kernel's queue for the other process.
final class SharedSocketAcceptor: Sendable {
    /// How often the loop looks whether it should stop.
    static let pollInterval: Int32 = 50

    private let descriptor: Int32
    private let stopping = NIOLockedValueBox(false)
    private let finished: EventLoopPromise<Void>
    private let logger: Logger

    /// Prepares to accept on `descriptor`, which is made non-blocking (a flag the sharing processes
    /// see too; every daemon sets it).
    init(descriptor: Int32, eventLoop: any EventLoop, logger: Logger) {
        self.descriptor = descriptor
        self.logger = logger
        finished = eventLoop.makePromise(of: Void.self)
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Completes when the accept loop has ended.
    var closeFuture: EventLoopFuture<Void> { finished.futureResult }

    /// Starts the loop on a thread of its own; each accepted descriptor goes to `handOff`, whose
    /// future completes once the connection is registered with an event loop.
    func start(handOff: @escaping @Sendable (Int32) -> EventLoopFuture<Void>) {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        thread.submit { [self] _ in
            acceptUntilStopped(handOff)
            close(descriptor)  // this process's copy; the socket lives on in the others
            finished.succeed()
        }
        finished.futureResult.whenComplete { _ in thread.shutdownGracefully { _ in } }
    }

    /// Asks the loop to stop and close this process's descriptor; connections not yet accepted stay
    /// queued for the other processes.
    func stop() {
        stopping.withLockedValue { $0 = true }
    }

    private func acceptUntilStopped(_ handOff: @Sendable (Int32) -> EventLoopFuture<Void>) {
        while !stopping.withLockedValue({ $0 }) {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, Self.pollInterval) > 0 else { continue }
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                pauseAfterAcceptError(errno)
                continue
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            do {
                try handOff(connection).wait()
            } catch {
                // NIO closes a descriptor it could not register.
                logger.warning("could not serve an accepted connection", metadata: ["error": "\(error)"])
            }
        }
    }

    private func pauseAfterAcceptError(_ code: Int32) {
        switch code {
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
            return  // another process took it, or the client gave up
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            logger.error("cannot accept: \(String(cString: strerror(code))); retrying in 100 ms")
            usleep(100_000)
        default:
            logger.error("cannot accept: \(String(cString: strerror(code)))")
            usleep(100_000)
        }
    }
}
