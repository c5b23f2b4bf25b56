import NIOCore
import _MilterSystem

/// Why a listening socket could not be bound, in words: NIO's error text names the system call
/// and the errno (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`), which is
/// not for operators. Shared by every listener: the milter's, `--metrics`, `record --listen`.
package enum ListenFailure {
    /// `the address is already in use`, `permission denied`, or the error as it is when it is not
    /// a system call's.
    package static func describe(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return SystemCall.bindFailureText(error.errnoCode)
    }

    /// Whether `error` says the address is in use by another socket (`EADDRINUSE`).
    package static func isAddressInUse(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == EADDRINUSE
    }
}
