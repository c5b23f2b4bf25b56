import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Free TCP ports on the loopback interface, and waiting for a peer to listen.
package enum FreePort {
    /// Binds port 0 on `host` (127.0.0.1 or ::1), reads the port the kernel chose, and releases it.
    /// Another process could take it before the peer binds it; peers are started right away.
    ///
    /// A port is handed out once per test process: the kernel may choose a port just released again,
    /// and two tests that started their peers on one port each saw the other's peer listening (one
    /// `smtp-sink` got both Postfix instances' mail, and the other test waited for a message in vain).
    package static func allocate(host: String = "127.0.0.1") throws -> Int {
        for _ in 0..<64 {
            let (fd, port) = try boundSocket(host: host)
            close(fd)
            if handedOut.withLockedValue({ $0.insert(port).inserted }) { return port }
        }
        throw HarnessError("no port on \(host) that this process has not handed out already")
    }

    /// The ports ``allocate(host:)`` handed out in this process.
    private static let handedOut = NIOLockedValueBox<Set<Int>>([])

    /// A TCP socket bound to a port the kernel chose on `host`, still open (for a test that listens on
    /// it or hands it to a server), and that port.
    package static func boundSocket(host: String = "127.0.0.1") throws -> (fd: Int32, port: Int) {
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        do {
            return (fd, try bindPortZero(fd, host: host))
        } catch {
            close(fd)
            throw error
        }
    }

    private static func bindPortZero(_ fd: Int32, host: String) throws -> Int {
        var storage = try NumericSocketAddress(host: host, port: 0)
        guard storage.withPointer({ bind(fd, $0, $1) }) == 0 else {
            throw HarnessError("bind \(host):0 failed: errno \(errno)")
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw HarnessError("getsockname failed: errno \(errno)") }
        storage = NumericSocketAddress(storage: bound)
        return storage.port
    }

    /// Waits until something accepts TCP connections on `host`:`port`.
    package static func waitUntilListening(
        host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(20)
    ) async throws {
        _ = try await pollUntil("a listener on \(host) port \(port)", timeout: timeout, interval: .milliseconds(50)) {
            canConnect(host: host, port: port) ? true : nil
        }
    }

    /// Whether a TCP connection to `host`:`port` succeeds right now.
    package static func canConnect(host: String, port: Int) -> Bool {
        guard let address = try? NumericSocketAddress(host: host, port: port) else { return false }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return address.withPointer { connect(fd, $0, $1) } == 0
    }
}
