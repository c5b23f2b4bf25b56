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

    /// Starts one scripted server per mode, in order, runs `body` with them, and stops them whether it returns or
    /// throws.
    @discardableResult
    static func withServers<Result>(
        _ modes: ScriptedServer.UDPMode..., closingTCP: Bool = false,
        _ body: ([ScriptedServer]) async throws -> Result
    ) async throws -> Result {
        var servers: [ScriptedServer] = []
        do {
            for mode in modes { servers.append(try await ScriptedServer(udpMode: mode, closingTCP: closingTCP)) }
            let result = try await body(servers)
            for server in servers { await server.stop() }
            return result
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
    }

    /// 127.0.0.1 on each of `ports`, in order: the servers of a resolver.
    static func loopback(_ ports: Int...) throws -> [SocketAddress] {
        try ports.map { try SocketAddress(ipAddress: "127.0.0.1", port: $0) }
    }

    /// A resolver over `servers`, in order, each attempt waiting far longer than the tests' time limits: a test
    /// that passes never waits for a timeout.
    static func resolver(
        over servers: [ScriptedServer], attempts: Int = 1, rotate: Bool = false, randomizesCase: Bool = false
    ) throws -> DNSResolver {
        DNSResolver(
            servers: try servers.map { try SocketAddress(ipAddress: "127.0.0.1", port: $0.port) },
            timeout: .seconds(300), attempts: attempts, rotate: rotate, randomizesCase: randomizesCase)
    }

    @Test func answersOverUDP() async throws {
        try await Self.withServers(.answer) { servers in
            let response = try await resolver(port: servers[0].port).query(Self.name, type: .a)
            #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
            #expect(servers[0].queryCounts == (1, 0))
        }
    }

    @Test func truncatedAnswerIsAskedAgainOverTCP() async throws {
        try await Self.withServers(.truncate) { servers in
            let response = try await resolver(port: servers[0].port).query(Self.name, type: .a)
            #expect(!response.isTruncated)
            #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
            #expect(servers[0].queryCounts == (1, 1))
        }
    }

    /// Without TCP, the exchange would wait for the resolver's timeout, far over the time limit.
    @Test(.timeLimit(.minutes(1))) func anAnswerCutInsideARecordWithTCIsAskedAgainOverTCP() async throws {
        try await Self.withServers(.truncateInsideRecord) { servers in
            let response = try await Self.resolver(over: servers).query(Self.name, type: .a)
            #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
            #expect(servers[0].queryCounts == (1, 1))
        }
    }

    @Test func repliesWithAnotherIDOrQuestionAreIgnored() async throws {
        try await Self.withServers(.decoysFirst) { servers in
            let resolver = DNSResolver(servers: try Self.loopback(servers[0].port), nextID: { 0x4242 })
            let response = try await resolver.query(Self.name, type: .a)
            #expect(response.id == 0x4242)
            #expect(response.questions.first?.name == Self.name)
        }
    }

    @Test func repliesFromAnotherAddressAreIgnored() async throws {
        try await Self.withServers(.strangerFirst) { servers in
            let response = try await resolver(port: servers[0].port).query(Self.name, type: .a)
            #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
        }
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
        try await Self.withServers(.truncate, closingTCP: true) { servers in
            await #expect {
                try await resolver(port: servers[0].port, timeout: .seconds(30)).query(Self.name, type: .a)
            } throws: { ($0 as? DNSError)?.kind == .connectionRefused }
            #expect(servers[0].queryCounts == (1, 0))
        }
    }

    @Test(.timeLimit(.minutes(1))) func refusedServerIsSkippedForTheNext() async throws {
        let closed = try FreePort.allocate()
        try await Self.withServers(.answer) { servers in
            // A timeout far over the time limit: the next server is asked at once, not after the first times out.
            let resolver = DNSResolver(servers: try Self.loopback(closed, servers[0].port), timeout: .seconds(300))
            let response = try await resolver.query(Self.name, type: .a)
            #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
            #expect(servers[0].queryCounts == (1, 0))
        }
    }

    @Test(.timeLimit(.minutes(1))) func serverFailureAndRefusalAskTheNextServer() async throws {
        for code: UInt8 in [2, 4, 5] {  // SERVFAIL, NOTIMP, REFUSED
            try await Self.withServers(.responseCode(code), .answer) { servers in
                let (failing, server) = (servers[0], servers[1])
                let response = try await Self.resolver(over: servers).query(Self.name, type: .a)
                #expect(response.responseCode == .noError, "after RCODE \(code)")
                #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])])
                #expect(failing.queryCounts == (1, 0) && server.queryCounts == (1, 0))
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func whenNoServerSettlesItTheLastRefusalIsReturned() async throws {
        let closed = try FreePort.allocate()
        try await Self.withServers(.responseCode(5), .responseCode(2), .responseCode(3)) { servers in
            let (refusing, failing, nxdomain) = (servers[0], servers[1], servers[2])
            let resolver = DNSResolver(
                servers: try Self.loopback(refusing.port, failing.port, closed), timeout: .seconds(300))
            // The SERVFAIL says more than the closed port's error that came after it.
            #expect(try await resolver.query(Self.name, type: .a).responseCode == .serverFailure)
            // NXDOMAIN settles the question: the next server is not asked.
            let settled = try Self.resolver(over: [nxdomain, refusing])
            #expect(try await settled.query(Self.name, type: .a).responseCode == .nameError)
            #expect(refusing.queryCounts == (1, 0))
        }
    }

    @Test(.timeLimit(.minutes(1))) func theListIsTriedAsManyTimesAsTheAttempts() async throws {
        try await Self.withServers(.responseCode(5), .responseCode(2)) { servers in
            let resolver = try Self.resolver(over: servers, attempts: 3)
            #expect(try await resolver.query(Self.name, type: .a).responseCode == .serverFailure)
            #expect(servers[0].queryCounts == (3, 0) && servers[1].queryCounts == (3, 0))
        }
    }

    /// A negative answer whose SOA is for another zone than the name's (forged, or from a broken
    /// server) settles nothing: the next server is asked, and alone it is an error, not NXDOMAIN.
    @Test(.timeLimit(.minutes(1))) func aNegativeAnswerWithTheSOAOfAnUnrelatedZoneAsksTheNextServer() async throws {
        for code: UInt8 in [3, 0] {  // NXDOMAIN, NODATA
            try await Self.withServers(.negative(responseCode: code, soaZone: "example.net"), .answer) { servers in
                let (bogus, server) = (servers[0], servers[1])
                let response = try await Self.resolver(over: servers).query(Self.name, type: .a)
                #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])], "after RCODE \(code)")
                #expect(bogus.queryCounts == (1, 0) && server.queryCounts == (1, 0))
                let alone = try Self.resolver(over: [bogus])
                await #expect {
                    try await alone.query(Self.name, type: .a)
                } throws: { error in
                    guard let error = error as? DNSError, error.kind == .bogusNegativeAnswer else { return false }
                    return error.detail == "127.0.0.1 port \(bogus.port)" && !"\(error)".contains("zen.test")
                }
            }
        }
    }

    /// The SOA of the name itself or of any zone above it, the root's included, goes with a real
    /// negative answer: it settles the question.
    @Test(.timeLimit(.minutes(1)), arguments: ["zen.test", "ZEN.test.", "test", "", Self.name])
    func aNegativeAnswerWithTheSOAOfAnAncestorSettlesIt(_ zone: String) async throws {
        try await Self.withServers(.negative(responseCode: 3, soaZone: zone), .answer) { servers in
            let response = try await Self.resolver(over: servers).query(Self.name, type: .a)
            #expect(response.responseCode == .nameError && response.authorities.map(\.type) == [.soa])
            #expect(servers[1].queryCounts == (0, 0))
        }
    }

    /// Names that only end like the zone (`xzen.test` for `zen.test`) are not in it.
    @Test(.timeLimit(.minutes(1))) func aZoneWhoseNameIsASuffixButNotAnAncestorIsUnrelated() async throws {
        try await Self.withServers(.negative(responseCode: 3, soaZone: "n.test")) { servers in
            await #expect {
                try await Self.resolver(over: servers).query(Self.name, type: .a)
            } throws: { ($0 as? DNSError)?.kind == .bogusNegativeAnswer }
        }
    }

    /// With `rotate`, each query starts at the next server (resolv.conf's `options rotate`); without
    /// it, every query starts at the first.
    @Test(.timeLimit(.minutes(1))) func rotateStartsEachQueryAtTheNextServer() async throws {
        for rotate in [true, false] {
            try await Self.withServers(.answer, .answer) { servers in
                let resolver = try Self.resolver(over: servers, rotate: rotate)
                for _ in 0..<4 { _ = try await resolver.query(Self.name, type: .a) }
                let expected = rotate ? [2, 2] : [4, 0]
                #expect(servers.map { $0.queryCounts.udp } == expected, "rotate: \(rotate)")
            }
        }
    }

    /// A rotated list is still tried whole, in order from its starting server, on every attempt.
    @Test(.timeLimit(.minutes(1))) func aRotatedListIsStillTriedWhole() async throws {
        try await Self.withServers(.responseCode(5), .answer) { servers in
            let resolver = try Self.resolver(over: servers, rotate: true)
            for _ in 0..<4 { #expect(try await resolver.query(Self.name, type: .a).responseCode == .noError) }
            // Queries starting at the refusing server go on to the other one: 2 + 4 queries for it.
            #expect(servers[0].queryCounts.udp == 2 && servers[1].queryCounts.udp == 4)
        }
    }

    /// With `randomizesCase`, an answer must spell the name as asked: one in lowercase is a decoy.
    /// Without it, names compare in any case and the first answer counts.
    @Test(.timeLimit(.minutes(1))) func aRandomCaseMustBeEchoedExactly() async throws {
        for randomizesCase in [true, false] {
            try await Self.withServers(.lowercasedFirst) { servers in
                var resolver = try Self.resolver(over: servers, randomizesCase: randomizesCase)
                resolver.caseBits = { .max }  // every letter in uppercase
                let response = try await resolver.query(Self.name, type: .a)
                let expected: [UInt8] = randomizesCase ? [127, 0, 0, 2] : [127, 0, 0, 3]
                #expect(response.answers.map(\.data) == [.a(expected)], "randomizesCase: \(randomizesCase)")
                #expect(response.questions.first?.name == (randomizesCase ? "2.0.0.127.ZEN.TEST" : Self.name))
            }
        }
        // Over TCP too, after a truncated answer.
        try await Self.withServers(.truncate) { servers in
            let response = try await Self.resolver(over: servers, randomizesCase: true).query(Self.name, type: .a)
            #expect(response.answers.map(\.data) == [.a([127, 0, 0, 2])] && servers[0].queryCounts == (1, 1))
            #expect(response.questions.first?.name.lowercased() == Self.name)
        }
    }

    @Test func theRandomCaseTakesOneBitALetter() {
        var draws: [UInt64] = [0b1010_0110, 0b1]
        let name = DNSName.randomizingCase("2.0.0.127.zen-a.Test.", bits: { draws.removeFirst() })
        #expect(name == "2.0.0.127.zEN-a.tEsT.")
        #expect(draws == [1])  // 8 letters: one draw
        let long = String(repeating: "a", count: 70)
        var words: [UInt64] = [0, .max]
        #expect(
            DNSName.randomizingCase(long, bits: { words.removeFirst() }) == String(repeating: "a", count: 64) + "AAAAAA"
        )
        #expect(DNSName.sameSpelling("A.b.", "A.b") && !DNSName.sameSpelling("A.b", "a.b"))
    }

    @Test func silentServerTimesOut() async throws {
        try await Self.withServers(.silent) { servers in
            let start = ContinuousClock.now
            await #expect(throws: DNSError(.timeout)) {
                try await resolver(port: servers[0].port, timeout: .milliseconds(300)).query(Self.name, type: .a)
            }
            // It gives up rather than hang; no tighter wall-clock figure (the CI machine is shared and busy).
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }

    @Test func noServersAndBadResolvConf() async throws {
        await #expect(throws: DNSError(.noServers)) { try await DNSResolver(servers: []).query("x.test", type: .a) }
        #expect(throws: DNSError.self) { try DNSResolver.system(resolvConf: "/nonexistent/resolv.conf") }
    }
}
