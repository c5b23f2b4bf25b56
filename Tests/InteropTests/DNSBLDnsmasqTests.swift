import MailMessage
import MilterDNS
import MilterProtocol
import ReferenceMilter
import Testing

/// DNSBLChecker, the Received-chain helper and the rules' `dnsbl` condition against a real DNS
/// server: dnsmasq on a free loopback port, serving the test zone `zen.test` from a hosts file.
@Suite(.timingSensitive) struct DNSBLDnsmasqTests {
    static let zone = "zen.test"
    /// Test addresses (public-looking, never leave loopback) and their codes; 11.22.33.99 is not listed.
    static let records: [String: [String]] = [
        "44.33.22.11.zen.test": ["127.0.0.2"],
        "45.33.22.11.zen.test": ["127.0.0.4", "127.0.0.10"],
        "46.33.22.11.zen.test": ["127.0.0.3"],
        "47.33.22.11.zen.test": ["127.0.0.9"],
        "48.33.22.11.zen.test": ["127.0.0.11"],
        "50.33.22.11.zen.test": ["127.255.255.254"],
        "51.33.22.11.zen.test": ["127.255.255.255"],
        "52.33.22.11.zen.test": ["127.255.255.252"],
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.4.1.0.0.a.2.zen.test": ["127.0.0.2"],
    ]

    static func checker(_ server: ScratchPeer) throws -> DNSBLChecker {
        // Generous timeouts: beside the other suites, a busy 2-core machine once took over 2 s to answer.
        let resolver = try DNSResolver(host: "127.0.0.1", port: server.port, timeout: .seconds(10))
        return DNSBLChecker(zone: zone, resolver: resolver, timeout: .seconds(20), isZEN: true)
    }

    static func ip(_ text: String) -> IPAddress { IPAddress(parsing: text)! }

    @Test func listedNotListedAndZENCodes() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let zen = try Self.checker(server)
            let expected: [(String, [ZENList])] = [
                ("11.22.33.44", [.sbl]), ("11.22.33.45", [.xbl, .pblISP]), ("11.22.33.46", [.css]),
                ("11.22.33.47", [.drop]), ("11.22.33.48", [.pblSpamhaus]), ("2a00:1450::1", [.sbl]),
            ]
            for (address, lists) in expected {
                guard case .listed(let listings) = await zen.lookup(Self.ip(address)) else {
                    Issue.record("\(address) not listed; dnsmasq log:\n\(server.log())")
                    continue
                }
                #expect(Set(listings.compactMap(\.zen)) == Set(lists), "\(address)")
            }
            #expect(await zen.lookup(Self.ip("11.22.33.99")) == .notListed)
        }
    }

    @Test func errorCodesAreFailuresNotListings() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let zen = try Self.checker(server)
            let expected: [(String, DNSBLFailure.Kind)] = [
                ("11.22.33.50", .publicResolverBlocked), ("11.22.33.51", .overQuota), ("11.22.33.52", .zoneTypo),
            ]
            for (address, kind) in expected {
                let result = await zen.lookup(Self.ip(address))
                guard case .failed(let failure) = result else {
                    Issue.record("\(address): \(result)")
                    continue
                }
                #expect(failure.kind == kind)
                #expect(!result.isListed)
            }
        }
    }

    @Test func answersAreCachedForTheirTTL() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let zen = try Self.checker(server)
            for _ in 0..<3 { #expect(await zen.lookup(Self.ip("11.22.33.44")).isListed) }
            #expect(zen.cachedCount == 1)
            let queries = server.log().split(separator: "\n").filter { $0.contains("query[A] 44.33.22.11.zen.test") }
            #expect(queries.count == 1, "\(server.log())")
        }
    }

    @Test func receivedChainForeignHopsAreLookedUpAndPrivateOnesNever() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let zen = try Self.checker(server)
            var mail = MailInfo(client: ClientInfo(hostname: "c", address: "11.22.33.45", family: .inet))
            mail.headerFields = [
                .init(
                    name: "Received", value: " from a (a [10.0.0.7]) by mx.example.org; Fri, 4 Dec 2026 10:00:00 +0000"),
                .init(name: "Received", value: " from b (b [11.22.33.44]) by a; Fri, 4 Dec 2026 09:59:00 +0000"),
                .init(name: "Received", value: " from c (c [11.22.33.99]) by b; Fri, 4 Dec 2026 09:58:00 +0000"),
                .init(name: "Received", value: " from d (d [127.0.0.1]) by c; Fri, 4 Dec 2026 09:57:00 +0000"),
            ]
            let hops = await mail.dnsblLookups(zen)
            #expect(hops.map(\.address.description) == ["11.22.33.45", "11.22.33.44", "11.22.33.99"])
            #expect(hops.map(\.result.isListed) == [true, true, false])
            #expect(!server.log().contains("7.0.0.10.zen.test"))
            #expect(!server.log().contains("1.0.0.127.zen.test"))
        }
    }

    @Test func rulesFileDnsblCondition() async throws {
        guard Interop.require(.dnsmasq) else { return }
        try await Dnsmasq.with(zone: Self.zone, records: Self.records) { server in
            let resolver = try DNSResolver(host: "127.0.0.1", port: server.port)
            let rules = try RulesClassifier(
                text: """
                    dnsbl zen.test is "127.0.0.4" => reject "550 5.7.1 exploited host"
                    dnsbl zen.test => quarantine "listed"
                    """, resolver: resolver)
            func decide(_ client: String) async -> String {
                let mail = MailInfo(client: ClientInfo(hostname: "h", address: client, family: .inet))
                switch await rules.classify(mail).verdict {
                case .accept: return "accept"
                case .reject: return "reject"
                case .quarantine(let reason): return "quarantine \(reason)"
                default: return "other"
                }
            }
            #expect(await decide("11.22.33.45") == "reject")
            #expect(await decide("11.22.33.44") == "quarantine listed")
            #expect(await decide("11.22.33.99") == "accept")
            #expect(await decide("192.168.1.1") == "accept")
        }
    }
}
