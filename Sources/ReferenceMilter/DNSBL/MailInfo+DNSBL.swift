import MailMessage

/// One address checked against a DNSBL, and where it came from.
public struct DNSBLHopResult: Hashable, Sendable {
    /// The address.
    public let address: IPAddress
    /// Its position in ``MailInfo/dnsblAddresses(trustedDomains:includeClient:)``: 0 is the newest.
    public let hop: Int
    /// The lookup's result.
    public let result: DNSBLResult

    /// Creates a hop result.
    public init(address: IPAddress, hop: Int, result: DNSBLResult) {
        self.address = address
        self.hop = hop
        self.result = result
    }
}

extension MailInfo {
    /// The foreign addresses to check, newest first, each once: the connecting client (when
    /// `includeClient`), then the `from` IPs of the Received chain. With `trustedDomains`, the chain
    /// starts at the hop where mail entered trusted hands (see ``trustedHop(byDomains:)``), as in
    /// srmilter's example; hops written by our own relays before it are internal. Addresses a DNSBL
    /// must not be asked about are left out.
    public func dnsblAddresses(trustedDomains: [String] = [], includeClient: Bool = true) -> [IPAddress] {
        var headers = receivedHeaders
        if !trustedDomains.isEmpty, let hop = trustedHop(byDomains: trustedDomains),
            let index = headers.firstIndex(of: hop)
        {
            headers = Array(headers[index...])
        }
        var candidates = headers.compactMap(\.fromIP)
        if includeClient, let client = IPAddress(parsing: client.address) { candidates.insert(client, at: 0) }
        var seen: Set<IPAddress> = []
        return candidates.filter { $0.isDNSBLQueryable && seen.insert($0).inserted }
    }

    /// Looks every address of ``dnsblAddresses(trustedDomains:includeClient:)`` up in parallel;
    /// the results come back in hop order.
    public func dnsblLookups(
        _ checker: DNSBLChecker, trustedDomains: [String] = [], includeClient: Bool = true
    ) async -> [DNSBLHopResult] {
        let addresses = dnsblAddresses(trustedDomains: trustedDomains, includeClient: includeClient)
        return await withTaskGroup(of: DNSBLHopResult.self) { group in
            for (hop, address) in addresses.enumerated() {
                group.addTask { DNSBLHopResult(address: address, hop: hop, result: await checker.lookup(address)) }
            }
            var results: [DNSBLHopResult] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.hop < $1.hop }
        }
    }
}
