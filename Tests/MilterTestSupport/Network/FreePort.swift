import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Free TCP ports on the loopback interface, and waiting for a peer to listen.
package enum FreePort {
    /// A port on `host` (127.0.0.1 or ::1) that nothing uses now, for a peer to listen on; another process
    /// could take it before the peer binds it, and peers are started right away.
    ///
    /// Chosen at random below the kernel's range of ephemeral ports (`ip_local_port_range`, 32768–60999 by
    /// default), and checked free by binding it: a port from that range (the kernel's choice for port 0) can be
    /// taken meanwhile as the local end of any outgoing connection, and a fresh-clone CI run saw Postfix fail to
    /// start on one ("bind 127.0.0.1 port 35483: Address already in use") while other tests made hundreds of
    /// connections. When no such port is free, the kernel's choice for port 0.
    ///
    /// A port is handed out once per test process: two tests that started their peers on one port each saw the
    /// other's peer listening (one `smtp-sink` got both Postfix instances' mail, and the other test waited for a
    /// message in vain).
    package static func allocate(host: String = "127.0.0.1") throws -> Int {
        let below = ephemeralRange.lowerBound
        if below > 10_001 {
            for _ in 0..<256 {
                let port = Int.random(in: 10_000..<below)
                guard handedOut.withLockedValue({ !$0.contains(port) }), isFree(port, host: host) else { continue }
                if handedOut.withLockedValue({ $0.insert(port).inserted }) { return port }
            }
        }
        for _ in 0..<64 {
            let (fd, port) = try boundSocket(host: host)
            close(fd)
            if handedOut.withLockedValue({ $0.insert(port).inserted }) { return port }
        }
        throw HarnessError("no port on \(host) that this process has not handed out already")
    }

    /// The kernel's range of ephemeral ports (`/proc/sys/net/ipv4/ip_local_port_range`); Linux's default if unreadable.
    package static let ephemeralRange: ClosedRange<Int> = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return 32768...60999 }
        return bounds[0]...bounds[1]
    }()

    /// Whether `port` on `host` can be bound now (no listener, no connection on it).
    private static func isFree(_ port: Int, host: String) -> Bool {
        guard let address = try? NumericSocketAddress(host: host, port: port) else { return false }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return address.withPointer { bind(fd, $0, $1) } == 0
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
