/// The values a rule field takes for a message: a field may have several (recipients).
enum RuleFields {
    static func values(of field: Rule.Field, in mail: MailInfo) -> [String] {
        switch field {
        case .subject: [mail.subject]
        case .header(let name): [mail.header(name)]
        case .sender: [mail.sender?.address ?? ""]
        case .recipient: mail.recipients.map(\.address)
        case .from: [mail.fromAddress]
        case .helo: [mail.helo]
        case .client: [mail.client.hostname, mail.client.address]
        case .dnsbl: []
        }
    }

    /// ``values(of:in:)`` lowercased, in the same array.
    static func loweredValues(of field: Rule.Field, in mail: MailInfo) -> [String] {
        var values = values(of: field, in: mail)
        for index in values.indices { values[index] = values[index].lowercased() }
        return values
    }

    /// The values of a `dnsbl` field: every listing's code and ZEN list name. PBL lists dynamic
    /// ranges, which legitimately relay through their ISP, so it counts for the newest hop only.
    static func dnsblValues(in mail: MailInfo, checker: DNSBLChecker) async -> [String] {
        var values: [String] = []
        for hop in await mail.dnsblLookups(checker) {
            guard case .listed(let listings) = hop.result else { continue }
            for listing in listings where hop.hop == 0 || listing.zen?.isPolicyList != true {
                values.append(listing.address)
                if let zen = listing.zen { values.append(zen.rawValue) }
            }
        }
        return values
    }
}
