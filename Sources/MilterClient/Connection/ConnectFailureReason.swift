import NIOCore
import NIOPosix
import _MilterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The words for why a connection attempt failed: `connection refused`, `timed out after 30 s`, rather than
/// the description of NIO's error types.
enum ConnectFailureReason {
    /// `error`, thrown by connecting to a milter within `timeout`, in words.
    static func describe(_ error: any Error, timeout: TimeAmount) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error, timeout: timeout) }
            if let dns = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve \(error.host): \(dns)" }
            return "no address for \(error.host)"
        case let error as IOError:
            return text(errno: error.errnoCode)
        case ChannelError.connectTimeout:
            return "no answer within \(seconds(timeout)) s (connect timed out)"
        case ChannelPipelineError.notFound, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed:
            // The channel closed while its handlers were being added: the milter accepted and closed at once.
            return "the milter closed the connection as soon as it accepted it"
        default:
            return String(describing: error)
        }
    }

    /// The `errno` behind `error`, thrown by connecting to a milter: an `IOError`'s, or that of the first address
    /// tried; `nil` when no system call failed (a timeout, a name that does not resolve).
    static func errnoCode(of error: any Error) -> Int32? {
        switch error {
        case let error as NIOConnectionError: error.connectionErrors.first.flatMap { errnoCode(of: $0.error) }
        case let error as IOError: error.errnoCode
        default: nil
        }
    }

    /// The system's text for `errno`, lowercased at the start: `connection refused`.
    private static func text(errno: Int32) -> String { SystemCall.lowercasedErrorText(errno) }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }
}

extension MilterConnectError {
    /// The failure to connect to `address`, with `error` (thrown by connecting within `timeout`) in words rather
    /// than as NIO's error types, and its `errno` if a system call failed: for ``MilterClientConnection`` and for a
    /// tool that connects with its own bootstrap, such as `milter-replay record`.
    package init(address: MilterAddress, connecting error: any Error, timeout: TimeAmount) {
        self.init(
            address: address, reason: ConnectFailureReason.describe(error, timeout: timeout),
            errnoCode: ConnectFailureReason.errnoCode(of: error))
    }
}
