import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension DNSError {
    /// The error for a failed socket operation with `server`: a refusal (`ECONNREFUSED`, which a
    /// connected UDP socket reports for the server's ICMP port unreachable) is
    /// ``Kind/connectionRefused`` naming the server; no route to its network or host (`ENETUNREACH`,
    /// `EHOSTUNREACH`) is ``Kind/unreachable`` naming the server and which; anything else is ``Kind/network``.
    init(socketError error: any Error, server: SocketAddress) {
        if let error = error as? DNSError {
            self = error
        } else if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            self.init(.connectionRefused, detail: Self.describe(server))
        } else if let error = error as? IOError, let what = Self.unreachable[error.errnoCode] {
            self.init(.unreachable, detail: "\(Self.describe(server)): \(what)")
        } else {
            self.init(.network, detail: "\(error)")
        }
    }

    /// The errors that say the server cannot be reached, in words.
    private static let unreachable: [CInt: String] = [
        ENETUNREACH: "network unreachable", EHOSTUNREACH: "host unreachable",
    ]

    /// `192.0.2.53 port 53`: the server only, never what was asked.
    static func describe(_ server: SocketAddress) -> String {
        guard let ip = server.ipAddress, let port = server.port else { return "\(server)" }
        return "\(ip) port \(port)"
    }
}
