import MailMessage
import MilterDNS
import NIOConcurrencyHelpers
import Testing

@testable import ReferenceMilter

/// Which records of an answer are the list's answer, and a lookup bounded by its own timeout.
@Suite struct DNSBLAnswerChainTests {
    static let name = "142.69.2.81.zen.spamhaus.org"

    static func response(_ answers: [DNSRecord]) -> DNSResponse {
        DNSResponse(id: 1, flags: 0x8180, questions: [DNSQuestion(name: name, type: .a)], answers: answers)
    }

    static func a(_ owner: String, _ last: UInt8, ttl: UInt32 = 60) -> DNSRecord {
        DNSRecord(name: owner, type: .a, ttl: ttl, data: .a([127, 0, 0, last]))
    }

    static func cname(_ owner: String, _ target: String, ttl: UInt32 = 60) -> DNSRecord {
        DNSRecord(name: owner, type: .cname, ttl: ttl, data: .cname(target))
    }

    @Test func anARecordOfAnotherNameIsNotAListing() {
        let answer = DNSBLAnswer.decode(Self.response([Self.a("1.2.0.192.zen.spamhaus.org", 2)]), isZEN: true)
        #expect(answer.result == .notListed)
    }

    @Test func aCNAMEChainIsFollowedFromTheNameAsked() {
        // Out of order, with a different case, a final dot, and a stray CNAME and A of names not in the chain.
        let answers = [
            Self.a("Two.Example.", 4, ttl: 600), Self.cname("other.example", "two.example"),
            Self.cname("one.example", "two.example", ttl: 30), Self.a("other.example", 2),
            Self.cname("142.69.2.81.ZEN.spamhaus.org", "one.example", ttl: 300),
        ]
        let answer = DNSBLAnswer.decode(Self.response(answers), isZEN: true)
        #expect(answer.result == .listed([DNSBLListing(code: [127, 0, 0, 4], zen: .xbl)]))
        #expect(answer.ttl == 30)  // the shortest TTL along the chain
    }

    @Test func aCNAMELoopEndsAsNotListed() {
        let answers = [Self.cname(Self.name, "a.example"), Self.cname("a.example", Self.name)]
        #expect(DNSBLAnswer.decode(Self.response(answers), isZEN: true).result == .notListed)
    }

    /// An SOA owned by `zone` whose TTL is `ttl` and MINIMUM `minimum`, with root MNAME and RNAME.
    static func soa(_ zone: String, ttl: UInt32, minimum: UInt32) -> DNSRecord {
        let rdata: [UInt8] =
            [0, 0] + [0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 2, 88, 0, 9, 58, 128]
            + withUnsafeBytes(of: minimum.bigEndian, Array.init)
        return DNSRecord(name: zone, type: .soa, ttl: ttl, data: .other(rdata))
    }

    /// A negative answer at the end of a CNAME chain lasts no longer than the chain's CNAMEs: once one
    /// expires, the name may lead elsewhere (RFC 2308 section 5: the CNAMEs keep their own TTLs).
    @Test(arguments: [UInt16(0x8183), 0x8180])  // NXDOMAIN, NODATA
    func aNegativeAnswerAfterACNAMEIsKeptNoLongerThanTheCNAME(_ flags: UInt16) {
        var response = Self.response([Self.cname(Self.name, "gone.example", ttl: 10)])
        response.flags = flags
        response.authorities = [Self.soa("example", ttl: 600, minimum: 300)]
        let answer = DNSBLAnswer.decode(response, isZEN: true)
        #expect(answer.result == .notListed && answer.ttl == 10)
        response.answers = []
        #expect(DNSBLAnswer.decode(response, isZEN: true).ttl == 300)  // the SOA's MINIMUM, under its TTL
    }

    /// SOA data too short to hold two names and the five numbers is no SOA: the default negative TTL.
    @Test func aMalformedSOAGivesTheDefaultNegativeTTL() {
        var response = Self.response([])
        response.flags = 0x8183
        response.authorities = [
            DNSRecord(name: "spamhaus.org", type: .soa, ttl: 86400, data: .other([0, 1, 81, 128]))
        ]
        #expect(DNSBLAnswer.decode(response, isZEN: true).ttl == DNSBLAnswer.defaultNegativeTTL)
    }

    /// Answers only once `release` has been called, whatever cancellation says: a resolver that does
    /// not heed it. Counts its questions.
    final class StubbornResolver: DNSQuerying {
        private let state = NIOLockedValueBox(
            (released: false, waiting: [CheckedContinuation<Void, Never>](), asked: 0))

        var asked: Int { state.withLockedValue { $0.asked } }
        var isReleased: Bool { state.withLockedValue { $0.released } }

        func query(_ name: String, type: DNSRecordType) async throws(DNSError) -> DNSResponse {
            await withCheckedContinuation { continuation in
                let released = state.withLockedValue { state in
                    state.asked += 1
                    if !state.released { state.waiting.append(continuation) }
                    return state.released
                }
                if released { continuation.resume() }
            }
            return DNSBLAnswerChainTests.response([DNSBLAnswerChainTests.a(name, 2)])
        }

        func release() {
            let waiting = state.withLockedValue { state in
                state.released = true
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    /// Without the checker's own bound, the lookup would wait for the resolver, released after a minute.
    @Test(.timeLimit(.minutes(3))) func aResolverThatIgnoresCancellationCannotHoldTheLookup() async {
        let resolver = StubbornResolver()
        let releaser = Task {
            try? await Task.sleep(for: .seconds(60))
            resolver.release()
        }
        let checker = DNSBLChecker(zone: "zen.spamhaus.org", resolver: resolver, timeout: .milliseconds(100))
        #expect(await checker.lookup(IPAddress(parsing: "81.2.69.142")!) == .failed(DNSBLFailure(.timeout)))
        #expect(!resolver.isReleased, "the lookup waited for the resolver")
        // Release it now so that its task ends; its late answer is dropped, not cached.
        releaser.cancel()
        resolver.release()
        #expect(checker.cachedCount == 0)
    }

    /// Lookups of one address while its query is under way share that query: one question to the server.
    @Test(.timeLimit(.minutes(1))) func concurrentLookupsOfOneAddressAskOnce() async throws {
        let resolver = StubbornResolver()
        let checker = DNSBLChecker(zone: "zen.spamhaus.org", resolver: resolver, timeout: .seconds(600))
        let address = IPAddress(parsing: "81.2.69.142")!
        let lookups = (0..<5).map { _ in Task { await checker.lookup(address) } }
        // Until the first has asked; then time for the others to reach the checker (more would ask too
        // without sharing), before the answer comes.
        while resolver.asked == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(300))
        resolver.release()
        for lookup in lookups {
            #expect(await lookup.value == .listed([DNSBLListing(code: [127, 0, 0, 2], zen: .sbl)]))
        }
        #expect(resolver.asked == 1)
        #expect(checker.cachedCount == 1)
        #expect(await checker.lookup(address).isListed && resolver.asked == 1)
    }

    @Test func aZoneWithAFinalDotIsStillZEN() {
        #expect(DNSBLChecker(zone: "zen.spamhaus.org.", resolver: StubbornResolver()).isZEN)
        #expect(DNSBLChecker(zone: "KEY.zen.dq.spamhaus.net.", resolver: StubbornResolver()).isZEN)
    }
}
