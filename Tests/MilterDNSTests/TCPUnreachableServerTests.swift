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

/// A socket error on a TCP exchange, once connected, is reported as on UDP (`UnreachableServerTests`): a refusal
/// is ``DNSError/Kind/connectionRefused``, no route ``DNSError/Kind/unreachable``, each naming the server and
/// never the queried name; anything else stays a network error. The errors are given to the handler as the
/// socket reports them.
@Suite struct TCPUnreachableServerTests {
    static let name = "2.0.0.127.zen.test"

    /// What the handler fails its exchange with when the socket reports `errno`.
    static func failure(errno code: CInt) throws -> DNSError? {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        let server = try SocketAddress(ipAddress: "192.0.2.53", port: 53)
        let promise = channel.eventLoop.makePromise(of: DNSResponse.self)
        let query = DNSQuery(id: 7, question: DNSQuestion(name: Self.name, type: .a))
        try channel.pipeline.syncOperations.addHandler(
            DNSTCPHandler(query: query, server: server, wire: [], promise: promise))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: code, reason: "read"))
        do {
            _ = try promise.futureResult.wait()
            return nil
        } catch {
            return error as? DNSError
        }
    }

    @Test func aRefusalIsConnectionRefused() throws {
        let error = try #require(try Self.failure(errno: ECONNREFUSED))
        #expect(error == DNSError(.connectionRefused, detail: "192.0.2.53 port 53"))
        #expect(!"\(error)".contains(Self.name))
    }

    @Test func noRouteIsUnreachable() throws {
        #expect(
            try Self.failure(errno: EHOSTUNREACH)
                == DNSError(.unreachable, detail: "192.0.2.53 port 53: host unreachable"))
        let error = try #require(try Self.failure(errno: ENETUNREACH))
        #expect(error == DNSError(.unreachable, detail: "192.0.2.53 port 53: network unreachable"))
        #expect(!"\(error)".contains(Self.name))
    }

    @Test func otherErrorsStayNetworkErrors() throws {
        #expect(try Self.failure(errno: ECONNRESET)?.kind == .network)
    }
}
