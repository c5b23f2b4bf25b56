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

    /// Writes the ready byte to `descriptor` and closes it; returns whether the byte was written.
    @discardableResult
    public static func signal(_ descriptor: Int32) -> Bool {
        var byte = UInt8(ascii: "R")
        let written = write(descriptor, &byte, 1)
        close(descriptor)
        return written == 1
    }
}

/// Why `MILTER_READY_FD` cannot be used.
public struct ReadinessPipeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the variable.
    public let description: String

    init(_ description: String) { self.description = description }
}
