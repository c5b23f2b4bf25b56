import MailMessage
import MetricsTestKit
import Testing

@testable import ReferenceMilter

/// `milter_dnsbl_queries_total{zone, result}`: each lookup counted once, by how it ended.
@Suite struct DNSBLMetricsTests {
    func count(_ metrics: TestMetrics, _ result: String) -> Int64 {
        let dimensions = [("zone", "zen.spamhaus.org"), ("result", result)]
        return (try? metrics.expectCounter("milter_dnsbl_queries_total", dimensions).totalValue) ?? 0
    }

    /// The clock stands still for the cache: with the real one, a test starved for over a minute between the two
    /// lookups of one address (a CI run under load 50 did) found the 60 s TTL run out and counted two listings.
    @Test func lookupsAreCountedByResult() async {
        let metrics = TestMetrics()
        let instant = ContinuousClock.now
        let listed = DNSBLChecker(
            zone: "zen.spamhaus.org", resolver: DNSBLTests.FakeResolver(codes: [[127, 0, 0, 2]]),
            timeout: .seconds(600),
            now: { instant }, metricsFactory: metrics)
        _ = await listed.lookup(DNSBLTests.ip("81.2.69.142"))
        _ = await listed.lookup(DNSBLTests.ip("81.2.69.142"))
        _ = await listed.lookup(DNSBLTests.ip("10.0.0.1"))
        let clean = DNSBLChecker(
            zone: "zen.spamhaus.org", resolver: DNSBLTests.FakeResolver(), timeout: .seconds(600),
            metricsFactory: metrics)
        _ = await clean.lookup(DNSBLTests.ip("81.2.69.143"))
        let broken = DNSBLChecker(
            zone: "zen.spamhaus.org", resolver: DNSBLTests.FakeResolver(codes: [[127, 255, 255, 254]]),
            timeout: .seconds(600),
            metricsFactory: metrics)
        _ = await broken.lookup(DNSBLTests.ip("81.2.69.144"))

        #expect(count(metrics, "listed") == 1)
        #expect(count(metrics, "cached") == 1)
        #expect(count(metrics, "skipped") == 1)
        #expect(count(metrics, "not-listed") == 1)
        #expect(count(metrics, "failed") == 1)
    }

    /// A Data Query Service zone carries the account's key: metrics and errors show `<key>` instead.
    @Test func aDataQueryServiceKeyStaysOutOfMetricsAndErrors() async throws {
        let metrics = TestMetrics()
        let checker = DNSBLChecker(
            zone: "s3cr3tkey.zen.dq.spamhaus.net", resolver: DNSBLTests.FakeResolver(codes: [[127, 0, 0, 2]]),
            timeout: .seconds(600), metricsFactory: metrics)
        #expect(checker.isZEN)
        _ = await checker.lookup(DNSBLTests.ip("81.2.69.142"))
        let dimensions = [("zone", "<key>.zen.dq.spamhaus.net"), ("result", "listed")]
        #expect(try metrics.expectCounter("milter_dnsbl_queries_total", dimensions).totalValue == 1)
        #expect(DNSBLChecker.displayName("zen.spamhaus.org") == "zen.spamhaus.org")
        #expect(DNSBLChecker.displayName("KEY.zen.dq.spamhaus.com") == "<key>.zen.dq.spamhaus.com")
        #expect(DNSBLChecker.displayName("dq.spamhaus.net") == "dq.spamhaus.net")
        let error = #expect(throws: RuleParseError.self) {
            _ = try RuleParser.parse("dnsbl \"s3cr3tkey.zen.dq.spamhaus.net.\" => reject\n")
        }
        #expect(error.map { !"\($0)".contains("s3cr3tkey") } == true, "\(String(describing: error))")
    }
}
