import MailMessage
import MilterDNS
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ReferenceMilter
import Testing

/// The resolver against dnsmasq where a real server does what the scripted one only imitates: a UDP
/// answer cut at 512 bytes with TC set, a forwarder with no upstream that answers REFUSED, CNAMEs,
/// an authoritative NXDOMAIN with the zone's SOA.
@Suite(.timingSensitive) struct DNSResolverDnsmasqTests {
    static let zone = "zen.test"
    /// 40 codes for one name: 678 bytes, over UDP's 512, so dnsmasq sends 29 of them with TC set.
    static let many = (2...41).map { "127.0.0.\($0)" }
    static let records: [String: [String]] = [
        "44.33.22.11.zen.test": ["127.0.0.2"], "40.33.22.11.zen.test": many,
        "listed.zen.test": ["127.0.0.4"],
    ]

    static func ip(_ text: String) -> IPAddress { IPAddress(parsing: text)! }

    @Test func aTruncatedAnswerIsAskedAgainOverTCP() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let resolver = try DNSResolver(host: "127.0.0.1", port: server.port, timeout: .seconds(10))
            let response = try await resolver.query("40.33.22.11.zen.test", type: .a)
            #expect(!response.isTruncated)
            let codes = response.answers.compactMap { record -> String? in
                guard case .a(let bytes) = record.data else { return nil }
                return bytes.map(String.init).joined(separator: ".")
            }
            #expect(Set(codes) == Set(Self.many), "dnsmasq log:\n\(server.log())")
            let zen = DNSBLChecker(zone: Self.zone, resolver: resolver, timeout: .seconds(20), isZEN: false)
            guard case .listed(let listings) = await zen.lookup(Self.ip("11.22.33.40")) else {
                Issue.record("not listed; dnsmasq log:\n\(server.log())")
                return
            }
            #expect(listings.count == 40)
        }
    }

    @Test func aRefusingServerHandsOverToTheNext() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.withRefusing { refusing in
            try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
                let resolver = DNSResolver(
                    servers: [
                        try SocketAddress(ipAddress: "127.0.0.1", port: refusing.port),
                        try SocketAddress(ipAddress: "127.0.0.1", port: server.port),
                    ], timeout: .seconds(10))
                let zen = DNSBLChecker(zone: Self.zone, resolver: resolver, timeout: .seconds(20), isZEN: true)
                let result = await zen.lookup(Self.ip("11.22.33.44"))
                #expect(result == .listed([DNSBLListing(code: [127, 0, 0, 2], zen: .sbl)]), "\(refusing.log())")
                #expect(refusing.log().contains("query[A] 44.33.22.11.zen.test"), "\(refusing.log())")
                // Alone, the refusing server's answer is a resolver failure, never a listing.
                let alone = try DNSResolver(host: "127.0.0.1", port: refusing.port, timeout: .seconds(10))
                let failed = await DNSBLChecker(zone: Self.zone, resolver: alone, timeout: .seconds(20))
                    .lookup(Self.ip("11.22.33.44"))
                #expect(failed == .failed(DNSBLFailure(.resolver, detail: "REFUSED")))
            }
        }
    }

    /// resolv.conf's `options timeout:4` with a silent first server: a lookup without a timeout of
    /// its own waits for the second server's answer (after 4 s), rather than giving up at a fixed 3 s.
    @Test(.timeLimit(.minutes(1))) func aLookupWaitsLongEnoughForTheSecondServer() async throws {
        guard Interop.require(.dnsmasq) else { return }
        // A bound UDP port that reads every query and answers none.
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let resolver = DNSResolver(
                servers: [silent.localAddress!, try SocketAddress(ipAddress: "127.0.0.1", port: server.port)],
                timeout: .seconds(4))
            let zen = DNSBLChecker(zone: Self.zone, resolver: resolver, isZEN: true)
            #expect(zen.timeout == .seconds(8))
            let result = await zen.lookup(Self.ip("11.22.33.44"))
            #expect(result == .listed([DNSBLListing(code: [127, 0, 0, 2], zen: .sbl)]), "\(server.log())")
        }
    }

    /// dnsmasq echoes the question's letter case exactly, so 0x20 randomisation works with it: the
    /// name reaches it in the case asked (its log shows it), and the answer, which must spell it the
    /// same, is accepted, over UDP and over TCP (the 40 codes are truncated).
    @Test func aRandomCaseIsEchoedByDnsmasq() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let resolver = DNSResolver(
                servers: [try SocketAddress(ipAddress: "127.0.0.1", port: server.port)], timeout: .seconds(10),
                randomizesCase: true)
            var spellings: Set<String> = []
            for name in Array(repeating: "44.33.22.11.zen.test", count: 8) + ["40.33.22.11.zen.test"] {
                let response = try await resolver.query(name, type: .a)
                let asked = try #require(response.questions.first?.name)
                spellings.insert(asked)
                #expect(asked.lowercased() == name && !response.answers.isEmpty, "\(server.log())")
                #expect(server.log().contains("query[A] \(asked) "), "\(server.log())")
            }
            // Seven letters drawn at random nine times: all in lowercase each time has odds of 2^-63.
            #expect(spellings.contains { $0 != $0.lowercased() })
            let zen = DNSBLChecker(zone: Self.zone, resolver: resolver, isZEN: true)
            #expect(
                await zen.lookup(Self.ip("11.22.33.44")) == .listed([DNSBLListing(code: [127, 0, 0, 2], zen: .sbl)]))
        }
    }

    @Test func aListingBehindACNAMEIsFollowed() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(
            zone: Self.zone, records: Self.records, cnames: ["45.33.22.11.zen.test": "listed.zen.test"]
        ) { server in
            let resolver = try DNSResolver(host: "127.0.0.1", port: server.port, timeout: .seconds(10))
            let response = try await resolver.query("45.33.22.11.zen.test", type: .a)
            #expect(response.answers.map(\.type) == [.cname, .a], "\(server.log())")
            let zen = DNSBLChecker(zone: Self.zone, resolver: resolver, timeout: .seconds(20), isZEN: true)
            #expect(
                await zen.lookup(Self.ip("11.22.33.45")) == .listed([DNSBLListing(code: [127, 0, 0, 4], zen: .xbl)]))
        }
    }

    /// NXDOMAIN is cached for the negative TTL of the SOA that comes with it (60 s here), not the
    /// 5 minutes kept when there is none: on a clock of the test's own, the name is asked again after it.
    @Test func aNegativeAnswerIsCachedForItsSOATTL() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.withAuthoritative(zone: Self.zone, records: ["44.33.22.11.zen.test": "127.0.0.2"]) { server in
            let resolver = try DNSResolver(host: "127.0.0.1", port: server.port, timeout: .seconds(10))
            let response = try await resolver.query("99.33.22.11.zen.test", type: .a)
            #expect(response.responseCode == .nameError && response.authorities.map(\.type) == [.soa], "\(response)")
            let start = ContinuousClock.now
            let elapsed = NIOLockedValueBox(Duration.zero)
            let zen = DNSBLChecker(
                zone: Self.zone, resolver: resolver, timeout: .seconds(20),
                now: { start + elapsed.withLockedValue { $0 } })
            func asked() -> Int {
                server.log().split(separator: "\n").filter { $0.contains("auth[A] 99.33.22.11.zen.test") }.count
            }
            #expect(await zen.lookup(Self.ip("11.22.33.99")) == .notListed)
            #expect(await zen.lookup(Self.ip("11.22.33.44")).isListed)
            elapsed.withLockedValue { $0 = .seconds(59) }
            #expect(await zen.lookup(Self.ip("11.22.33.99")) == .notListed)
            #expect(asked() == 2, "\(server.log())")  // the resolver's own query, then the first lookup
            elapsed.withLockedValue { $0 = .seconds(61) }
            #expect(await zen.lookup(Self.ip("11.22.33.99")) == .notListed)
            #expect(asked() == 3, "\(server.log())")
        }
    }
}
