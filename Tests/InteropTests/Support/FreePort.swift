import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Free TCP ports on the loopback interface, and waiting for a peer to listen.
enum FreePort {
    /// Binds port 0 on `host` (127.0.0.1 or ::1), reads the port the kernel chose, and releases it.
    /// Another process could take it before the peer binds it; peers are started right away.
    static func allocate(host: String = "127.0.0.1") throws -> Int {
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InteropError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var storage = try SocketAddress(host: host, port: 0)
        guard storage.withPointer({ bind(fd, $0, $1) }) == 0 else {
            throw InteropError("bind \(host):0 failed: errno \(errno)")
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw InteropError("getsockname failed: errno \(errno)") }
        storage = SocketAddress(storage: bound)
        return storage.port
    }

    /// Waits until something accepts TCP connections on `host`:`port`.
    static func waitUntilListening(
        host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(20)
    )
        async throws
    {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if canConnect(host: host, port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw InteropError("nothing listens on \(host) port \(port) after \(timeout)")
    }

    /// Whether a TCP connection to `host`:`port` succeeds right now.
    static func canConnect(host: String, port: Int) -> Bool {
        guard let address = try? SocketAddress(host: host, port: port) else { return false }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return address.withPointer { connect(fd, $0, $1) } == 0
    }
}

/// An IPv4 or IPv6 socket address for the calls above and for `SMTPClient`.
struct SocketAddress {
    private var storage = sockaddr_storage()
    /// AF_INET or AF_INET6.
    let family: Int32

    /// Parses a numeric `host` (no DNS).
    init(host: String, port: Int) throws {
        let networkPort = in_port_t(UInt16(port).bigEndian)
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = networkPort
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw InteropError("bad host \(host)") }
            family = AF_INET6
            Self.copy(address, into: &storage)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = networkPort
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw InteropError("bad host \(host)") }
            family = AF_INET
            Self.copy(address, into: &storage)
        }
    }

    private static func copy<A>(_ address: A, into storage: inout sockaddr_storage) {
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
    }

    init(storage: sockaddr_storage) {
        self.storage = storage
        self.family = Int32(storage.ss_family)
    }

    /// The port, in host order.
    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port are both at offset 2.
            Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
        }
    }

    /// Calls `body` with a `sockaddr` pointer and its length.
    func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        return withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
