import MailMessage

/// Received-header helpers: find the hop where mail entered trusted hands, and the IPs before it.
extension MailInfo {
    /// The Received fields, parsed, newest first.
    public var receivedHeaders: [ReceivedHeader] { message.received }

    /// The newest Received field written `by` a host in one of the trusted domains: the hop at
    /// which the message entered trusted hands. Its `from` side is the remote client.
    public func trustedHop(byDomains domains: [String]) -> ReceivedHeader? {
        receivedHeaders.first { header in
            guard let by = header.by?.lowercased() else { return false }
            return domains.contains { domain in
                let domain = domain.lowercased()
                return by == domain || by.hasSuffix("." + domain)
            }
        }
    }

    /// The HELO name the remote client gave at the trusted hop, `""` when unknown.
    public func remoteHelo(trustedDomains: [String]) -> String { trustedHop(byDomains: trustedDomains)?.from ?? "" }

    /// The remote client's IP at the trusted hop.
    public func remoteIP(trustedDomains: [String]) -> IPAddress? { trustedHop(byDomains: trustedDomains)?.fromIP }

    /// The remote client's reverse name at the trusted hop: the first word of the from comment,
    /// `""` when the MTA found none (the comment then starts with the address).
    public func remoteReverseName(trustedDomains: [String]) -> String {
        guard let comment = trustedHop(byDomains: trustedDomains)?.fromComment else { return "" }
        let first = comment.split(separator: " ").first.map(String.init) ?? ""
        return first.hasPrefix("[") || first.lowercased() == "unknown" ? "" : first
    }

    /// The client IPs of every Received field, newest first.
    public var receivedIPs: [IPAddress] { message.receivedIPs }

    /// The client IPs that are neither private, loopback nor link-local: the foreign hops.
    public var foreignReceivedIPs: [IPAddress] { receivedIPs.filter { !$0.isPrivateOrLocal } }
}
