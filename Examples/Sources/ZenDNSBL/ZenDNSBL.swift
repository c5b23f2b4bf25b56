import MailMessage  // IPAddress, to look up an address of your own
import MilterDNS  // DNSResolver: ReferenceMilter does not re-export it
import NIOCore  // SocketAddress, for a resolver with servers of your own
import ReferenceMilter

/// Rejects mail whose client or foreign Received hops Spamhaus ZEN lists in SBL or XBL.
public struct ZenClassifier: MailClassifier {
    let zen: DNSBLChecker

    /// Asks the nameservers of /etc/resolv.conf, in order; a lookup waits as long as its options let
    /// the resolver try them all (timeout × attempts × servers, at most 30 s).
    public init() throws {
        zen = DNSBLChecker(zone: "zen.spamhaus.org", resolver: try DNSResolver.system())
    }

    /// Asks `servers` in order: one that is silent or refuses (port closed) hands over to the next.
    public init(servers: [SocketAddress]) {
        zen = DNSBLChecker(zone: "zen.spamhaus.org", resolver: DNSResolver(servers: servers, timeout: .seconds(1)))
    }

    public func classify(_ mail: MailInfo) async -> Decision {
        // The client, then every foreign Received hop from the one our relays received it (in parallel).
        for hop in await mail.dnsblLookups(zen, trustedDomains: ["example.org"]) {
            guard case .listed(let listings) = hop.result else { continue }  // failures never list
            if listings.contains(where: { $0.zen == .sbl || $0.zen == .xbl }) {
                return mail.reject("ZEN \(listings)", client: "Listed in Spamhaus ZEN")
            }
        }
        return mail.accept("not in ZEN")
    }

    /// One address of your own, such as `"81.2.69.142"`.
    public func isListed(_ text: String) async -> Bool {
        guard let address = IPAddress(parsing: text) else { return false }
        return await zen.lookup(address).isListed
    }
}
