import MilterTestSupport
import NIOCore
import NIOEmbedded
import Testing

@testable import MilterDNS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A server with no route to it: the kernel's `ENETUNREACH` or `EHOSTUNREACH` fails the exchange at once as
/// ``DNSError/Kind/unreachable`` naming the server (never the queried name), and the next server is asked.
///
/// A real `ENETUNREACH` without changing the machine's routes: an IPv6-only socket (``DNSResolver/ipv6Only``)
/// given a v4-mapped address, which Linux refuses with it. Where the kernel does otherwise, those tests say so
/// and stop. `EHOSTUNREACH` needs an ICMP host unreachable (or a route of type unreachable): it is given to the
/// UDP handler as the socket reports it.
@Suite struct UnreachableServerTests {
    static let name = "2.0.0.127.zen.test"
    static let unroutable = "::ffff:192.0.2.53"

    /// The errno of connecting an IPv6-only UDP socket to ``unroutable``, 0 if it connects.
    static func unroutableErrno() -> CInt {
        #if canImport(Darwin)
        let fd = socket(AF_INET6, SOCK_DGRAM, 0)
        #else
        let fd = socket(AF_INET6, CInt(SOCK_DGRAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var on: CInt = 1
        guard setsockopt(fd, CInt(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            return errno
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(53).bigEndian
        guard inet_pton(AF_INET6, unroutable, &address.sin6_addr) == 1 else { return EINVAL }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        return result == 0 ? 0 : errno
    }

    /// Whether this machine refuses ``unroutable`` with `ENETUNREACH`; if not, prints why the test stops.
    static func kernelRefusesUnroutable(_ test: String) -> Bool {
        let code = unroutableErrno()
        guard code != ENETUNREACH else { return true }
        print("\(test): skipped, an IPv6-only socket to \(unroutable) gives errno \(code), not ENETUNREACH")
        return false
    }

    static func resolver(_ servers: [SocketAddress]) -> DNSResolver {
        // A timeout far over the time limit: only the kernel's refusal can end the wait in time.
        var resolver = DNSResolver(servers: servers, timeout: .seconds(300))
        resolver.ipv6Only = true
        return resolver
    }

    @Test(.timeLimit(.minutes(1))) func aServerWithNoRouteIsUnreachableAtOnce() async throws {
        guard Self.kernelRefusesUnroutable("aServerWithNoRouteIsUnreachableAtOnce") else { return }
        let resolver = Self.resolver([try SocketAddress(ipAddress: Self.unroutable, port: 53)])
        await #expect {
            try await resolver.query(Self.name, type: .a)
        } throws: { error in
            guard let error = error as? DNSError, error.kind == .unreachable else { return false }
            return error.detail == "\(Self.unroutable) port 53: network unreachable"
                && "\(error)" == "DNS: server unreachable (\(Self.unroutable) port 53: network unreachable)"
        }
    }

    @Test(.timeLimit(.minutes(1))) func anUnreachableServerIsSkippedForTheNext() async throws {
        guard Self.kernelRefusesUnroutable("anUnreachableServerIsSkippedForTheNext") else { return }
        let server = try await ScriptedServer(udpMode: .answer)
        defer { Task { await server.stop() } }
        let resolver = Self.resolver([
            try SocketAddress(ipAddress: Self.unroutable, port: 53),
            try SocketAddress(ipAddress: "127.0.0.1", port: server.port),
        ])
        let response = try await resolver.query(Self.name, type: .a)
        #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
        #expect(server.queryCounts == (1, 0))
    }

    /// What a connected UDP socket reports for an ICMP host unreachable, on a read.
    @Test func aHostUnreachableOnTheSocketIsUnreachable() async throws {
        let channel = EmbeddedChannel()
        let server = try SocketAddress(ipAddress: "192.0.2.53", port: 53)
        let promise = channel.eventLoop.makePromise(of: DNSResponse.self)
        let query = DNSQuery(id: 7, question: DNSQuestion(name: Self.name, type: .a))
        try channel.pipeline.syncOperations.addHandler(DNSUDPHandler(query: query, server: server, promise: promise))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: EHOSTUNREACH, reason: "recvmsg"))
        #expect(throws: DNSError(.unreachable, detail: "192.0.2.53 port 53: host unreachable")) {
            try promise.futureResult.wait()
        }
        _ = try? channel.finish()
    }

    @Test func otherSocketErrorsStayNetworkErrors() throws {
        let server = try SocketAddress(ipAddress: "192.0.2.53", port: 53)
        let error = DNSError(socketError: IOError(errnoCode: EPERM, reason: "sendmsg"), server: server)
        #expect(error.kind == .network)
    }
}
