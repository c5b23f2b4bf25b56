#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the supervisor asks its driver to do; the driver reports back with events.
public enum SupervisorAction: Hashable, Sendable {
    /// Start a new child; report ``Supervisor/spawned(_:at:)`` or ``Supervisor/spawnFailed(_:at:)``.
    case spawn
    /// Send `signal` to child `pid`.
    case signal(pid_t, Int32)
    /// Send this state to systemd (`READY=1`, `RELOADING=1`, `STOPPING=1`, each possibly with a `STATUS=` line).
    case notify(String)
    /// Log a line for the operator.
    case log(Level, String)
    /// Exit the proxy with this status.
    case exit(Int32)

    /// How important a log line is.
    public enum Level: Hashable, Sendable {
        /// Normal operation.
        case info
        /// Something failed but service goes on.
        case warning
        /// Service is degraded.
        case error
    }
}
