#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Written by the signal handler, which may touch nothing else: set once before any handler is installed.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Turns signals into bytes on a pipe, so that one `poll` waits for signals, readiness pipes and
/// deadlines at once, and a signal arriving at any moment is never lost.
struct SignalPipe {
    /// The end to poll and read signal numbers from.
    let readEnd: Int32

    /// Installs handlers for `signals`; the process keeps running when they arrive.
    init(trapping signals: [Int32]) throws(ProxyError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .system("pipe", errno) }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        signalPipeWriteEnd = ends[1]
        var action = sigaction()
        #if canImport(Darwin)
        action.__sigaction_u.__sa_handler = { signal in Self.handle(signal) }
        #else
        action.__sigaction_handler.sa_handler = { signal in Self.handle(signal) }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals {
            sigaction(signal, &action, nil)
            sigaddset(&unblock, signal)
        }
        // A parent may start us with these blocked (threads of libdispatch block them): they would never arrive.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    private static func handle(_ signal: Int32) {
        let saved = errno
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(signalPipeWriteEnd, &byte, 1)
        errno = saved
    }

    /// The signals that arrived since the last call, in order.
    func drain() -> [Int32] {
        var buffer = [UInt8](repeating: 0, count: 64)
        var signals: [Int32] = []
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            guard count > 0 else { return signals }
            signals += buffer[0..<count].map { Int32($0) }
        }
    }
}
