import MilterDNS
import NIOCore
import Testing

@testable import ReferenceMilter

/// How long a DNSBL lookup may wait when no timeout is given: as long as the resolver's own
/// configuration lets it try every server (timeout × attempts × servers), at most 30 s.
@Suite struct DNSBLTimeoutTests {
    static func servers(_ count: Int) throws -> [SocketAddress] {
        try (1...count).map { try SocketAddress(ipAddress: "192.0.2.\($0)", port: 53) }
    }

    /// A stand-in that answers nothing and says nothing of its own timeouts.
    struct StandIn: DNSQuerying {
        func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse {
            throw DNSError(.timeout)
        }
    }

    @Test func theDefaultLetsTheResolverTryEveryServer() throws {
        // resolv.conf's `options timeout:5` with two servers: the second is asked after 5 s.
        let two = DNSResolver(servers: try Self.servers(2), timeout: .seconds(5))
        #expect(DNSBLChecker(zone: "zen.test", resolver: two).timeout == .seconds(10))
        let retried = DNSResolver(servers: try Self.servers(2), timeout: .seconds(2), attempts: 2)
        #expect(DNSBLChecker(zone: "zen.test", resolver: retried).timeout == .seconds(8))
        let one = DNSResolver(servers: try Self.servers(1), timeout: .milliseconds(1500))
        #expect(DNSBLChecker(zone: "zen.test", resolver: one).timeout == .milliseconds(1500))
    }

    @Test func theDefaultIsAtMost30Seconds() throws {
        let slow = DNSResolver(servers: try Self.servers(3), timeout: .seconds(30), attempts: 5)
        #expect(DNSBLChecker(zone: "zen.test", resolver: slow).timeout == .seconds(30))
        #expect(DNSBLChecker.maximumDefaultTimeout == .seconds(30))
        // Budgets far too large for any lookup are cut, not overflowed.
        let huge = DNSResolver(servers: try Self.servers(3), timeout: .seconds(Int64.max), attempts: .max)
        #expect(huge.queryTimeBudget == .seconds(86_400) * 1_000_000)
        #expect(DNSBLChecker(zone: "zen.test", resolver: huge).timeout == .seconds(30))
    }

    @Test func aTimeoutGivenIsKeptAndAStandInGetsThreeSeconds() throws {
        let two = DNSResolver(servers: try Self.servers(2), timeout: .seconds(5))
        #expect(DNSBLChecker(zone: "zen.test", resolver: two, timeout: .seconds(3)).timeout == .seconds(3))
        #expect(DNSBLChecker(zone: "zen.test", resolver: two, timeout: .seconds(60)).timeout == .seconds(60))
        #expect(DNSBLChecker(zone: "zen.test", resolver: StandIn()).timeout == .seconds(3))
    }

    /// The rules file's `dnsbl` checkers take the same default from the resolver they share.
    @Test func theRulesCheckersTakeTheResolversBudget() throws {
        let resolver = DNSResolver(servers: try Self.servers(3), timeout: .seconds(5), attempts: 1)
        let rules = try RuleParser.parse(#"dnsbl zen.test => reject "550 5.7.1 listed""#)
        let checkers = try DNSBLCheckers(rules: rules, resolver: resolver)
        #expect(checkers["zen.test"]?.timeout == .seconds(15))
    }
}
