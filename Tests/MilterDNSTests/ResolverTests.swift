import MilterTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import MilterDNS

/// The resolver against scripted servers on loopback: fallback to TCP, decoys, timeouts.
@Suite(.timingSensitive) struct ResolverTests {
    static let name = "2.0.0.127.zen.test"

    func resolver(port: Int, timeout: Duration = .seconds(20)) throws -> DNSResolver {
        try DNSResolver(host: "127.0.0.1", port: port, timeout: timeout)
    }

    @Test func answersOverUDP() async throws {
        let server = try await ScriptedServer(udpMode: .answer)
        defer { Task { await server.stop() } }
        let response = try await resolver(port: server.port).query(Self.name, type: .a)
        #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
        #expect(server.queryCounts == (1, 0))
    }

    @Test func truncatedAnswerIsAskedAgainOverTCP() async throws {
        let server = try await ScriptedServer(udpMode: .truncate)
        defer { Task { await server.stop() } }
        let response = try await resolver(port: server.port).query(Self.name, type: .a)
        #expect(!response.isTruncated)
        #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
        #expect(server.queryCounts == (1, 1))
    }

    @Test func repliesWithAnotherIDOrQuestionAreIgnored() async throws {
        let server = try await ScriptedServer(udpMode: .decoysFirst)
        defer { Task { await server.stop() } }
        let resolver = DNSResolver(
            servers: [try SocketAddress(ipAddress: "127.0.0.1", port: server.port)], nextID: { 0x4242 })
        let response = try await resolver.query(Self.name, type: .a)
        #expect(response.id == 0x4242)
        #expect(response.questions.first?.name == Self.name)
    }

    @Test func repliesFromAnotherAddressAreIgnored() async throws {
        let server = try await ScriptedServer(udpMode: .strangerFirst)
        defer { Task { await server.stop() } }
        let response = try await resolver(port: server.port).query(Self.name, type: .a)
        #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
    }

    @Test func closedPortIsRefusedNotTimedOut() async throws {
        let port = try FreePort.allocate()
        // With a 30 s timeout, only the host's port unreachable can end the wait with this error.
        await #expect {
            try await resolver(port: port, timeout: .seconds(30)).query(Self.name, type: .a)
        } throws: { error in
            guard let error = error as? DNSError, error.kind == .connectionRefused else { return false }
            return error.detail == "127.0.0.1 port \(port)" && !"\(error)".contains("zen.test")
        }
    }

    @Test func truncatedAnswerWithAClosedTCPPortIsRefused() async throws {
        let server = try await ScriptedServer(udpMode: .truncate, closingTCP: true)
        defer { Task { await server.stop() } }
        await #expect {
            try await resolver(port: server.port, timeout: .seconds(30)).query(Self.name, type: .a)
        } throws: { ($0 as? DNSError)?.kind == .connectionRefused }
        #expect(server.queryCounts == (1, 0))
    }

    @Test(.timeLimit(.minutes(1))) func refusedServerIsSkippedForTheNext() async throws {
        let closed = try FreePort.allocate()
        let server = try await ScriptedServer(udpMode: .answer)
        defer { Task { await server.stop() } }
        // A timeout far over the time limit: the next server is asked at once, not after the first times out.
        let resolver = DNSResolver(
            servers: [
                try SocketAddress(ipAddress: "127.0.0.1", port: closed),
                try SocketAddress(ipAddress: "127.0.0.1", port: server.port),
            ], timeout: .seconds(300))
        let response = try await resolver.query(Self.name, type: .a)
        #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
        #expect(server.queryCounts == (1, 0))
    }

    @Test func silentServerTimesOut() async throws {
        let server = try await ScriptedServer(udpMode: .silent)
        defer { Task { await server.stop() } }
        let start = ContinuousClock.now
        await #expect(throws: DNSError(.timeout)) {
            try await resolver(port: server.port, timeout: .milliseconds(300)).query(Self.name, type: .a)
        }
        // It gives up rather than hang; no tighter wall-clock figure (the CI machine is shared and busy).
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func noServersAndBadResolvConf() async throws {
        await #expect(throws: DNSError(.noServers)) { try await DNSResolver(servers: []).query("x.test", type: .a) }
        #expect(throws: DNSError.self) { try DNSResolver.system(resolvConf: "/nonexistent/resolv.conf") }
    }
}
