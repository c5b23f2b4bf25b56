import NIOCore
import NIOPosix

/// A stub resolver: sends each question to recursive servers over UDP, retries over TCP when the
/// answer is truncated, and tries the next server on a timeout, a refusal or a network error.
///
/// ```swift
/// let resolver = try DNSResolver.system()               // nameservers from /etc/resolv.conf
/// let local = try DNSResolver(host: "127.0.0.1", port: 5353, timeout: .seconds(1))
/// let response = try await local.query("2.0.0.127.zen.spamhaus.org", type: .a)
/// ```
///
/// Each UDP exchange has a socket of its own, connected to the server: replies from any other
/// address never reach it, and a server whose port is closed (ICMP port unreachable) fails the
/// exchange at once with ``DNSError/Kind/connectionRefused``, so that the next server is asked
/// without waiting for the timeout.
///
/// ``servers`` and the `group` of ``init(servers:timeout:group:nextID:)`` are swift-nio types
/// (`SocketAddress` and `EventLoopGroup` from `NIOCore`, `MultiThreadedEventLoopGroup` from
/// `NIOPosix`), which this module does not re-export: code that builds them needs `import NIOCore`
/// (and `import NIOPosix` for a group of its own), with those swift-nio products in its target's
/// dependencies. ``init(host:port:timeout:)`` and ``system(resolvConf:timeout:)`` need neither.
public struct DNSResolver: DNSQuerying {
    /// The servers, asked in order.
    public let servers: [SocketAddress]
    /// How long each attempt (UDP, then TCP if truncated) waits for its answer.
    public let timeout: Duration
    private let group: any EventLoopGroup
    private let nextID: @Sendable () -> UInt16
    /// Whether the UDP sockets to IPv6 servers are IPv6 only (`IPV6_V6ONLY`): the kernel then refuses a
    /// v4-mapped server address (`::ffff:192.0.2.53`) with `ENETUNREACH`, which tests use to reach a server
    /// with no route to it.
    var ipv6Only = false

    /// Creates a resolver for the given servers. `nextID` draws query IDs (random by default).
    ///
    /// ```swift
    /// import MilterDNS
    /// import NIOCore  // SocketAddress
    ///
    /// let local = try SocketAddress(ipAddress: "127.0.0.1", port: 53)
    /// let backup = try SocketAddress(ipAddress: "::1", port: 53)
    /// let resolver = DNSResolver(servers: [local, backup], timeout: .seconds(1))
    /// ```
    public init(
        servers: [SocketAddress], timeout: Duration = .seconds(2),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        nextID: @escaping @Sendable () -> UInt16 = { UInt16.random(in: .min ... .max) }
    ) {
        self.servers = servers
        self.timeout = timeout
        self.group = group
        self.nextID = nextID
    }

    /// Creates a resolver for one server given by numeric address and port.
    public init(host: String, port: Int = 53, timeout: Duration = .seconds(2)) throws(DNSError) {
        guard let address = try? SocketAddress(ipAddress: host, port: port) else {
            throw DNSError(.network, detail: "not a numeric address: \(host)")
        }
        self.init(servers: [address], timeout: timeout)
    }

    /// The system's resolver: the `nameserver` lines of `resolvConf`.
    public static func system(
        resolvConf path: String = "/etc/resolv.conf", timeout: Duration = .seconds(2)
    ) throws(DNSError) -> DNSResolver {
        DNSResolver(servers: try ResolvConf.load(path).nameservers, timeout: timeout)
    }

    /// Asks `name` of each server in turn until one answers; returns the first matching response
    /// (NXDOMAIN included), or throws the last server's error.
    public func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse {
        guard !servers.isEmpty else { throw DNSError(.noServers) }
        let query = DNSQuery(id: nextID(), question: DNSQuestion(name: name, type: type))
        let attemptTimeout = TimeAmount.nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        var lastError = DNSError(.noServers)
        for server in servers {
            do {
                return try await DNSExchange(
                    server: server, timeout: attemptTimeout, group: group, ipv6Only: ipv6Only
                ).run(query)
            } catch {
                lastError = error
                if Task.isCancelled { break }
            }
        }
        throw lastError
    }
}
