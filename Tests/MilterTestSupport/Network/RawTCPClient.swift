import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client that sends whatever bytes a test gives it and collects what the peer sends, for
/// hostile-client tests of the daemon's HTTP endpoint. Use it from ``offPool(_:)``: its calls block.
package final class RawTCPClient: @unchecked Sendable {
    private var descriptor: Int32
    /// Everything the peer has sent so far.
    package private(set) var received: [UInt8] = []
    /// Whether the peer has closed the connection (end of file or a reset).
    package private(set) var isClosed = false

    /// Connects to `host:port`.
    package init(port: Int, host: String = "127.0.0.1") throws {
        let address = try NumericSocketAddress(host: host, port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        guard address.withPointer({ connect(fd, $0, $1) }) == 0 else {
            Glibc.close(fd)
            throw HarnessError("connect to \(host):\(port) failed")
        }
        descriptor = fd
    }

    deinit { close() }

    /// Closes this side's socket; later calls do nothing.
    package func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// Sends `bytes` whole; false when the peer has closed (no SIGPIPE).
    @discardableResult
    package func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    /// Reads what has arrived, waiting up to `milliseconds` for the first byte or the close; returns
    /// ``isClosed``.
    @discardableResult
    package func read(waitingUpTo milliseconds: Int32) -> Bool {
        guard !isClosed, descriptor >= 0 else { return true }
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, milliseconds) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received += chunk[0..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                isClosed = true
                return true
            } else {
                return false
            }
        }
    }

    /// Reads until the peer closes or `seconds` have passed; returns ``isClosed``.
    @discardableResult
    package func readUntilClosed(seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while !isClosed, Date() < end { read(waitingUpTo: 200) }
        return isClosed
    }

    /// What the peer sent, as text.
    package var text: String { String(decoding: received, as: UTF8.self) }
}
