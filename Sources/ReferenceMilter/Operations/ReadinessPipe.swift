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

    /// The descriptor named in the environment, removed from it so that children do not inherit it.
    public static func takeFromEnvironment() -> Int32? {
        guard let text = getenv(variable).map({ String(cString: $0) }), let fd = Int32(text), fd >= 0 else {
            return nil
        }
        unsetenv(variable)
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
