#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells a supervisor (reload-proxy) that this process accepts connections: one byte written to the
/// descriptor named by `MILTER_READY_FD`, which is then closed.
public enum ReadinessPipe {
    /// The environment variable naming the descriptor.
    public static let variable = "MILTER_READY_FD"

    /// The descriptor named in the environment, removed from it so that children do not inherit it; nil when the
    /// variable is not set. A value that is not a descriptor number, or names a descriptor that is not open for
    /// writing, is an error, never ignored (as `MILTER_LISTEN_FD`): the supervisor waiting for the byte would
    /// otherwise time out with no word of why.
    public static func takeFromEnvironment() throws(ReadinessPipeError) -> Int32? {
        guard let text = getenv(variable).map({ String(cString: $0) }) else { return nil }
        unsetenv(variable)
        guard let fd = Int32(text), fd >= 0 else {
            throw ReadinessPipeError("\(variable)=\(text.debugDescription) is not a descriptor number")
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw ReadinessPipeError("\(variable)=\(fd): descriptor \(fd) is not open") }
        guard flags & O_ACCMODE != O_RDONLY else {
            throw ReadinessPipeError("\(variable)=\(fd): descriptor \(fd) is not open for writing")
        }
        return fd
    }

    /// How long ``signal(_:waitingUpTo:)`` waits for room in a full pipe.
    public static let writeTimeout = Duration.seconds(5)

    /// Writes the ready byte to `descriptor` and closes it, waiting at most `timeout` for room in a full pipe;
    /// returns why the byte was not written, nil when it was. The descriptor is made non-blocking first: a reader
    /// that never reads, its pipe full, must not hang the daemon. A reader gone is `EPIPE`; `SIGPIPE`, whose default
    /// would end the process, is ignored from here on.
    public static func signal(_ descriptor: Int32, waitingUpTo timeout: Duration = writeTimeout) -> ReadinessPipeError?
    {
        defer { close(descriptor) }
        ignoreBrokenPipes()
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
        let deadline = ContinuousClock.now + timeout
        var byte = UInt8(ascii: "R")
        while true {
            let written = write(descriptor, &byte, 1)
            if written == 1 { return nil }
            let failure = written < 0 ? errno : EIO
            switch failure {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                let left = deadline - ContinuousClock.now
                guard left > .zero else {
                    return failed(
                        descriptor,
                        "the pipe stayed full for \(timeout.components.seconds) s (is the supervisor reading it?)")
                }
                var waiter = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
                _ = poll(&waiter, 1, Int32(clamping: milliseconds + 1))
            case EPIPE: return failed(descriptor, "nobody reads it (EPIPE: the supervisor closed it, or is gone)")
            default: return failed(descriptor, String(cString: strerror(failure)))
            }
        }
    }

    private static func failed(_ descriptor: Int32, _ reason: String) -> ReadinessPipeError {
        ReadinessPipeError("cannot write the readiness byte to \(variable)=\(descriptor): \(reason)")
    }
}

/// `SIGPIPE` ignored: a write to a pipe nobody reads fails with `EPIPE` instead of ending the process.
private func ignoreBrokenPipes() { _ = signal(SIGPIPE, SIG_IGN) }

/// Why `MILTER_READY_FD` cannot be used.
public struct ReadinessPipeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the variable.
    public let description: String

    init(_ description: String) { self.description = description }
}
