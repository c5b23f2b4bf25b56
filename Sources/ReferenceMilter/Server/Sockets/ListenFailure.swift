import NIOCore
import _MilterSystem

/// Why a listening socket could not be bound, in words: NIO's error text names the system call
/// and the errno (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`), which is
/// not for operators. Shared by every listener: the milter's, `--metrics`, `record --listen`.
package enum ListenFailure {
    /// `the address is already in use`, `permission denied`, `cannot resolve HOST: Name or service not known`
    /// (a host name that does not resolve), or the error as it is when it is neither.
    package static func describe(_ error: any Error) -> String {
        if let error = error as? SocketAddressError.UnknownHost { return unresolved(error) }
        guard let error = error as? IOError else { return "\(error)" }
        return SystemCall.bindFailureText(error.errnoCode)
    }

    /// `cannot resolve HOST: REASON`, the words milter-replay's connects use, instead of NIO's
    /// `SocketAddressError.UnknownHost: ... (error -2) for host HOST, port PORT`.
    package static func unresolved(_ error: SocketAddressError.UnknownHost) -> String {
        "cannot resolve \(error.host): \(error.errorDescription)"
    }

    /// Whether `error` says the address is in use by another socket (`EADDRINUSE`).
    package static func isAddressInUse(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == EADDRINUSE
    }
}
