import MailMessage
import MilterDNS
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// Resolver failures in DNSBLChecker: whatever the DNS error, no listing, a noted failure that is
/// not cached, and no queried address in its text.
@Suite struct DNSBLResolverFailureTests {
    /// Throws `error` for every question.
    struct FailingResolver: DNSQuerying {
        let error: DNSError

        func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse { throw error }
    }

    static let address = IPAddress(parsing: "81.2.69.142")!

    @Test(arguments: [
        (DNSError.Kind.connectionRefused, DNSBLFailure.Kind.resolver), (.unreachable, .resolver), (.network, .resolver),
        (.mismatchedResponse, .resolver), (.truncatedMessage, .resolver), (.timeout, .timeout),
    ])
    func dnsErrorsAreFailures(_ dnsKind: DNSError.Kind, _ kind: DNSBLFailure.Kind) async {
        let resolver = FailingResolver(error: DNSError(dnsKind, detail: "127.0.0.1 port 53"))
        let checker = DNSBLChecker(zone: "zen.spamhaus.org", resolver: resolver)
        #expect(await checker.lookup(Self.address) == .failed(DNSBLFailure(kind, detail: "\(dnsKind)")))
        #expect(checker.cachedCount == 0)
    }

    /// A real resolver against a loopback port nothing listens on: the refusal is a failure like a
    /// SERVFAIL's, long before the resolver's 30 s or the checker's 60 s timeout would end the wait.
    @Test func refusedServerIsAResolverFailure() async throws {
        let resolver = try DNSResolver(host: "127.0.0.1", port: try FreePort.allocate(), timeout: .seconds(30))
        let checker = DNSBLChecker(zone: "zen.spamhaus.org", resolver: resolver, timeout: .seconds(60))
        let result = await checker.lookup(Self.address)
        #expect(result == .failed(DNSBLFailure(.resolver, detail: "\(DNSError.Kind.connectionRefused)")))
        #expect(!result.isListed)
        #expect(checker.cachedCount == 0)
        guard case .failed(let failure) = result else { return }
        for personal in ["81.2.69.142", "142.69.2.81"] { #expect(!"\(failure)".contains(personal)) }
    }

}
