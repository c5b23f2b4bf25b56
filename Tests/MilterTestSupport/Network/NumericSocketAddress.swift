import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address from a numeric host (no DNS), for plain BSD socket calls
/// (``FreePort``, the interop tests' SMTP client). Named apart from NIO's `SocketAddress`.
package struct NumericSocketAddress {
    private var storage = sockaddr_storage()
    /// AF_INET or AF_INET6.
    package let family: Int32

    /// Parses a numeric `host` (no DNS).
    package init(host: String, port: Int) throws {
        let networkPort = in_port_t(UInt16(port).bigEndian)
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = networkPort
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw HarnessError("bad host \(host)") }
            family = AF_INET6
            Self.copy(address, into: &storage)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = networkPort
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw HarnessError("bad host \(host)") }
            family = AF_INET
            Self.copy(address, into: &storage)
        }
    }

    private static func copy<A>(_ address: A, into storage: inout sockaddr_storage) {
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
    }

    /// The address `getsockname` or `accept` filled in.
    package init(storage: sockaddr_storage) {
        self.storage = storage
        self.family = Int32(storage.ss_family)
    }

    /// The port, in host order.
    package var port: Int {
        withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port are both at offset 2.
            Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
        }
    }

    /// Calls `body` with a `sockaddr` pointer and its length.
    package func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        return withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
