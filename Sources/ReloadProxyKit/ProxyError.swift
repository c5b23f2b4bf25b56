#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the proxy cannot run; each ends it with exit status 2.
public enum ProxyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed.
    case system(String, Int32)
    /// Bad options or environment.
    case usage(String)

    /// The error in words.
    public var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .usage(let text): text
        }
    }
}
