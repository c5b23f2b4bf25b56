#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended, decoded from a `waitpid` status.
public enum ChildExit: Hashable, Sendable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    /// Decodes a raw `waitpid` status.
    public init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    /// Whether it exited with status 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// The status a daemon exits with on a usage or configuration error: reference-milter's (and the proxy's
    /// own) 2. It comes back on every restart until someone changes the configuration or the machine (a rules
    /// file that does not load, a `--metrics` port another process holds).
    public static let configurationErrorStatus: Int32 = 2

    /// Whether it exited with ``configurationErrorStatus``.
    public var isConfigurationError: Bool { self == .exited(Self.configurationErrorStatus) }

    /// `exited with status N` or `killed by signal N (NAME)`.
    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let signal): "killed by signal \(signal)\(Self.name(signal).map { " (\($0))" } ?? "")"
        }
    }

    private static func name(_ signal: Int32) -> String? {
        switch signal {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGILL: "SIGILL"
        case SIGHUP: "SIGHUP"
        default: nil
        }
    }
}
