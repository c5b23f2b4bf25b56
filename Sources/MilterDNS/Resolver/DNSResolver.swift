import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A stub resolver: sends each question to recursive servers over UDP, retries over TCP when the
/// answer is truncated, and tries the next server on a timeout, a refusal, a network error, an
/// answer of SERVFAIL, NOTIMP or REFUSED, or a negative answer whose SOA is for an unrelated zone.
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
/// ``servers`` and the `group` of ``init(servers:timeout:attempts:rotate:randomizesCase:group:nextID:)`` are swift-nio types
/// (`SocketAddress` and `EventLoopGroup` from `NIOCore`, `MultiThreadedEventLoopGroup` from
/// `NIOPosix`), which this module does not re-export: code that builds them needs `import NIOCore`
/// (and `import NIOPosix` for a group of its own), with those swift-nio products in its target's
/// dependencies. ``init(host:port:timeout:)`` and ``system(resolvConf:timeout:)`` need neither.
public struct DNSResolver: DNSQuerying {
    /// The servers, asked in order.
    public let servers: [SocketAddress]
    /// How long each attempt (UDP, then TCP if truncated) waits for its answer.
    public let timeout: Duration
    /// How many times the list of servers is tried before giving up (at least 1).
    public let attempts: Int
    /// Whether each query starts at the server after the one the previous query started at
    /// (resolv.conf's `options rotate`), to spread the load; the list is still tried whole from there.
    public let rotate: Bool
    /// Whether the letters of each query's name are in a random case, which the answer must echo
    /// exactly (0x20 randomisation, as unbound's `use-caps-for-id`): a forged answer must then guess
    /// the case as well as the query ID and port. Off by default: a server or middlebox that does not
    /// echo the case exactly is never heard (its answers are dropped until the timeout).
    public let randomizesCase: Bool
    /// Draws the bits of the random case, one a letter; a stand-in in tests.
    var caseBits: @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) }
    /// The server the next query starts at, with ``rotate``; shared by the copies of this resolver.
    private let nextStart = NIOLockedValueBox(0)
    private let group: any EventLoopGroup
    private let nextID: @Sendable () -> UInt16
    /// Whether the UDP sockets to IPv6 servers are IPv6 only (`IPV6_V6ONLY`): the kernel then refuses a
    /// v4-mapped server address (`::ffff:192.0.2.53`) with `ENETUNREACH`, which tests use to reach a server
    /// with no route to it.
    var ipv6Only = false

    /// Creates a resolver for the given servers, tried in order `attempts` times at most (at least once);
    /// with `rotate`, each query starts one server further down the list (``rotate``); with
    /// `randomizesCase`, the name's letters are in a random case that answers must echo (``randomizesCase``).
    /// `nextID` draws query IDs (random by default).
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
        servers: [SocketAddress], timeout: Duration = .seconds(2), attempts: Int = 1, rotate: Bool = false,
        randomizesCase: Bool = false, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        nextID: @escaping @Sendable () -> UInt16 = { UInt16.random(in: .min ... .max) }
    ) {
        self.servers = servers
        self.timeout = timeout
        self.attempts = max(attempts, 1)
        self.rotate = rotate
        self.randomizesCase = randomizesCase
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

    /// The system's resolver: the first three `nameserver` lines of `resolvConf` (as glibc, see
    /// ``ResolvConf/maximumNameservers``), tried in order as many times as its `options attempts:N`
    /// says (once without it), each query starting at the next server with `options rotate`. Each
    /// attempt waits `timeout`, or else the file's `options timeout:N`, or else 2 seconds.
    public static func system(
        resolvConf path: String = "/etc/resolv.conf", timeout: Duration? = nil
    ) throws(DNSError) -> DNSResolver {
        try DNSResolver(resolvConf: ResolvConf.load(path), timeout: timeout)
    }

    /// The resolver ``system(resolvConf:timeout:)`` makes of a resolv.conf already read: for a caller that also
    /// wants what the file said beside its servers (``ResolvConf/ignoredNameservers``).
    public init(resolvConf conf: ResolvConf, timeout: Duration? = nil) {
        self.init(
            servers: conf.nameservers, timeout: timeout ?? conf.timeout ?? .seconds(2), attempts: conf.attempts ?? 1,
            rotate: conf.rotate)
    }

    /// ``timeout`` × ``attempts`` × the number of ``servers``: how long a query takes when every
    /// server is silent (one asked again over TCP after a truncated answer can take one timeout more).
    /// Past a day per attempt, or a million exchanges, it is cut there rather than overflow.
    public var queryTimeBudget: Duration? {
        let (exchanges, overflow) = attempts.multipliedReportingOverflow(by: servers.count)
        return min(timeout, .seconds(86_400)) * (overflow ? 1_000_000 : min(exchanges, 1_000_000))
    }

    /// Asks `name` of each server in turn (the whole list ``attempts`` times at most, from the first
    /// server or, with ``rotate``, from the next one in turn) until one answers; returns the first
    /// response that settles the question (NOERROR and NXDOMAIN included), or throws the last server's error.
    ///
    /// A negative answer (NXDOMAIN or NODATA) whose authority section holds the SOA of a zone that is
    /// neither the name asked (or a CNAME target on the way) nor a zone above it does not settle it:
    /// it is an error of that server (``DNSError/Kind/bogusNegativeAnswer``), and the next one is asked.
    ///
    /// A server that answers SERVFAIL, NOTIMP or REFUSED has not settled it (it has no upstream, or
    /// refuses this client), so the next server is asked, with a new ID; when none settles it, the
    /// last such response is returned rather than a later server's error, since it says more.
    public func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse {
        guard !servers.isEmpty else { throw DNSError(.noServers) }
        let question = DNSQuestion(name: name, type: type)
        var lastError = DNSError(.noServers)
        var unsettled: DNSResponse?
        let order = serverOrder()
        for server in (0..<attempts).flatMap({ _ in order }) {
            do {
                let response = try await DNSExchange(
                    server: server, timeout: attemptTimeout, group: group, ipv6Only: ipv6Only
                ).run(exchangeQuery(question))
                if Self.asksNextServer(response.responseCode) {
                    unsettled = response
                } else if response.isNegative(to: question), !response.hasRelatedAuthority(to: question) {
                    lastError = DNSError(.bogusNegativeAnswer, detail: DNSError.describe(server))
                } else {
                    return response
                }
            } catch {
                lastError = error
            }
            if Task.isCancelled { break }
        }
        if let unsettled { return unsettled }
        throw lastError
    }

    /// The query of one exchange: a new ID and, with ``randomizesCase``, a new random case of the name.
    private func exchangeQuery(_ question: DNSQuestion) -> DNSQuery {
        guard randomizesCase else { return DNSQuery(id: nextID(), question: question) }
        var asked = question
        asked.name = DNSName.randomizingCase(question.name, bits: caseBits)
        return DNSQuery(id: nextID(), question: asked, requiresExactCase: true)
    }

    /// The servers in the order this query asks them: from the first, or with ``rotate`` from the
    /// one after the previous query's first.
    private func serverOrder() -> [SocketAddress] {
        guard rotate, servers.count > 1 else { return servers }
        let start = nextStart.withLockedValue { next in
            defer { next = (next + 1) % servers.count }
            return next % servers.count
        }
        return Array(servers[start...] + servers[..<start])
    }

    /// The response codes after which another server may answer: SERVFAIL, NOTIMP and REFUSED.
    static func asksNextServer(_ code: DNSResponseCode) -> Bool {
        code == .serverFailure || code == .notImplemented || code == .refused
    }

    /// ``timeout`` as NIO's `TimeAmount`; a duration too long for it (about 292 years) is clamped.
    var attemptTimeout: TimeAmount {
        let (seconds, attoseconds) = timeout.components
        guard seconds >= 0 else { return .zero }
        guard seconds < Int64.max / 1_000_000_000 - 1 else { return .nanoseconds(.max) }
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
