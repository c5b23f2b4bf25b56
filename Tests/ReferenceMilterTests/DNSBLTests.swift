import MailMessage
import MilterDNS
import NIOConcurrencyHelpers
import Testing

@testable import ReferenceMilter

/// DNSBLChecker without a network: a stand-in resolver that counts its questions.
@Suite struct DNSBLTests {
    /// Answers every A question with `codes` (NXDOMAIN when empty), or never answers when `hang`.
    final class FakeResolver: DNSQuerying {
        let codes: [[UInt8]]
        let hang: Bool
        let asked = NIOLockedValueBox<[String]>([])

        init(codes: [[UInt8]] = [], hang: Bool = false) {
            self.codes = codes
            self.hang = hang
        }

        func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse {
            asked.withLockedValue { $0.append(name) }
            // Until the checker cancels it: a resolver that answered after some seconds of real time raced the
            // checker's timeout in a test starved of CPU for longer than that.
            while hang && !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            let question = DNSQuestion(name: name, type: type)
            let records = codes.map { DNSRecord(name: name, type: .a, ttl: 60, data: .a($0)) }
            return DNSResponse(id: 1, flags: codes.isEmpty ? 0x8183 : 0x8180, questions: [question], answers: records)
        }
    }

    static func ip(_ text: String) -> IPAddress { IPAddress(parsing: text)! }

    @Test(arguments: [
        ("192.0.2.1", "1.2.0.192.zen.spamhaus.org"),
        ("81.2.69.142", "142.69.2.81.zen.spamhaus.org"),
        ("::ffff:81.2.69.142", "142.69.2.81.zen.spamhaus.org"),
        ("2001:db8:1::abcd", "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org"),
    ])
    func queryNames(_ address: String, _ name: String) {
        #expect(DNSBLQueryName.name(for: Self.ip(address), zone: "zen.spamhaus.org.") == name)
    }

    @Test(arguments: [
        "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1", "100.64.0.1", "0.1.2.3",
        "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1",
        "::1", "::", "fe80::1", "fd00::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
    ])
    func nonPublicAddressesAreNeverQueried(_ address: String) async {
        let resolver = FakeResolver(codes: [[127, 0, 0, 2]])
        let checker = DNSBLChecker(zone: "zen.spamhaus.org", resolver: resolver)
        #expect(await checker.lookup(Self.ip(address)) == .skipped)
        #expect(resolver.asked.withLockedValue { $0 }.isEmpty)
    }

    @Test(arguments: [
        (UInt8(2), ZENList.sbl), (3, .css), (4, .xbl), (5, .xbl), (6, .xbl), (7, .xbl), (9, .drop), (10, .pblISP),
        (11, .pblSpamhaus),
    ])
    func zenCodesAreDecoded(_ last: UInt8, _ list: ZENList) async {
        let checker = DNSBLChecker(
            zone: "zen.spamhaus.org", resolver: FakeResolver(codes: [[127, 0, 0, last]]), timeout: .seconds(600))
        #expect(
            await checker.lookup(Self.ip("81.2.69.142")) == .listed([DNSBLListing(code: [127, 0, 0, last], zen: list)]))
    }

    @Test func otherZonesAreNotDecodedAsZEN() async {
        let checker = DNSBLChecker(
            zone: "bl.example.net", resolver: FakeResolver(codes: [[127, 0, 0, 2]]), timeout: .seconds(600))
        #expect(
            await checker.lookup(Self.ip("81.2.69.142")) == .listed([DNSBLListing(code: [127, 0, 0, 2], zen: nil)]))
    }

    @Test(arguments: [
        ([UInt8]([127, 255, 255, 254]), DNSBLFailure.Kind.publicResolverBlocked), ([127, 255, 255, 255], .overQuota),
        ([127, 255, 255, 252], .zoneTypo), ([127, 255, 255, 1], .listError), ([192, 0, 2, 1], .unexpectedAnswer),
        // A sinkholing resolver's 127.0.0.1, and codes ZEN does not return: never a listing.
        ([127, 0, 0, 1], .unexpectedAnswer), ([127, 0, 0, 8], .unexpectedAnswer), ([127, 0, 0, 12], .unexpectedAnswer),
        ([127, 0, 1, 2], .unexpectedAnswer),
    ])
    func errorAnswersAreFailures(_ code: [UInt8], _ kind: DNSBLFailure.Kind) async {
        let checker = DNSBLChecker(
            zone: "zen.spamhaus.org", resolver: FakeResolver(codes: [[127, 0, 0, 2], code]), timeout: .seconds(600))
        #expect(
            await checker.lookup(Self.ip("81.2.69.142"))
                == .failed(
                    DNSBLFailure(kind, detail: code.map(String.init).joined(separator: "."))))
    }

    /// A checker whose own timeout did not work would wait for the hanging resolver until the time limit.
    @Test(.timeLimit(.minutes(10))) func notListedIsCachedAndHangingResolverTimesOut() async {
        let nx = FakeResolver()
        let checker = DNSBLChecker(zone: "zen.spamhaus.org", resolver: nx, timeout: .seconds(600))
        for _ in 0..<3 { #expect(await checker.lookup(Self.ip("81.2.69.142")) == .notListed) }
        #expect(nx.asked.withLockedValue { $0.count } == 1)

        let hanging = DNSBLChecker(
            zone: "zen.spamhaus.org", resolver: FakeResolver(hang: true), timeout: .milliseconds(100))
        // The resolver never answers: that the lookup returns at all shows the checker's own timeout.
        #expect(await hanging.lookup(Self.ip("81.2.69.142")) == .failed(DNSBLFailure(.timeout)))
        #expect(hanging.cachedCount == 0)
    }

    @Test func cacheIsBoundedAndExpires() {
        var cache = DNSBLCache(capacity: 2)
        let now = ContinuousClock.now
        cache.store(.notListed, for: "a", ttl: .seconds(10), at: now)
        cache.store(.notListed, for: "b", ttl: .seconds(20), at: now)
        cache.store(.notListed, for: "c", ttl: .seconds(30), at: now)
        #expect(cache.count == 2)
        #expect(cache.result(for: "a", at: now) == nil)
        #expect(cache.result(for: "c", at: now) == .notListed)
        #expect(cache.result(for: "c", at: now + .seconds(31)) == nil)
    }

    @Test func trustedHopLimitsTheChain() {
        var mail = MailInfo()
        mail.headerFields = [
            .init(
                name: "Received",
                value: " from relay (relay [81.2.69.1]) by mx.example.org; Fri, 4 Dec 2026 10:00:00 +0000"),
            .init(
                name: "Received", value: " from out (out [81.2.69.2]) by in.example.org; Fri, 4 Dec 2026 09:59:00 +0000"
            ),
            .init(name: "Received", value: " from bad (bad [81.2.69.3]) by out; Fri, 4 Dec 2026 09:58:00 +0000"),
        ]
        #expect(mail.dnsblAddresses().map(\.description) == ["81.2.69.1", "81.2.69.2", "81.2.69.3"])
        #expect(
            mail.dnsblAddresses(trustedDomains: ["in.example.org"]).map(\.description) == ["81.2.69.2", "81.2.69.3"])
    }

    @Test(arguments: [
        ("dnsbl => accept", 1), ("dnsbl zen => accept", 1), ("dnsbl zen..org => accept", 1),
        ("subject is \"x\" => accept\ndnsbl \"zen spamhaus.org\" => accept", 2),
    ])
    func badZonesNameTheLine(_ text: String, _ line: Int) {
        #expect { try RuleParser.parse(text) } throws: { ($0 as? RuleParseError)?.line == line }
    }

    @Test func errorsNameTheColumn() {
        let cases: [(String, String)] = [
            ("dnsbl zen..org => accept", "line 1, column 7: 'zen..org' is not a DNSBL zone name"),
            ("always => accept\nsubject is \"abc", "line 2, column 12: unterminated string"),
            ("  bogus is \"x\" => accept", "line 1, column 3: unknown field 'bogus'"),
        ]
        for (text, description) in cases {
            #expect { try RuleParser.parse(text) } throws: { "\($0)" == description }
        }
    }

    @Test func dnsblConditionsParse() throws {
        let rules = try RuleParser.parse(
            "dnsbl zen.spamhaus.org and not dnsbl zen.spamhaus.org is \"pbl-isp\" => reject")
        #expect(
            rules[0].conditions == [
                Rule.Condition(field: .dnsbl("zen.spamhaus.org"), match: .any),
                Rule.Condition(field: .dnsbl("zen.spamhaus.org"), match: .equals("pbl-isp"), negated: true),
            ])
    }
}
