import MilterDNS

/// Turns a DNS response to a DNSBL A query into a result and how long it may be cached.
enum DNSBLAnswer {
    /// Negative answers without an SOA in the authority section are kept this long.
    static let defaultNegativeTTL: UInt32 = 300

    /// A negative answer (NXDOMAIN, or no A record at the end of the chain) is kept for the SOA's
    /// negative TTL, and no longer than the CNAMEs that led to it.
    static func decode(_ response: DNSResponse, isZEN: Bool) -> (result: DNSBLResult, ttl: UInt32) {
        switch response.responseCode {
        case .nameError, .noError: break
        default: return (.failed(DNSBLFailure(.resolver, detail: "\(response.responseCode)")), 0)
        }
        let (records, aliases) = chain(response)
        let negative = (.notListed, ([negativeTTL(response)] + aliases.map(\.ttl)).min() ?? 0) as (DNSBLResult, UInt32)
        guard response.responseCode == .noError else { return negative }
        var codes: [[UInt8]] = []
        for record in records { if case .a(let bytes) = record.data { codes.append(bytes) } }
        guard !codes.isEmpty else { return negative }
        let ttl = (records + aliases).map(\.ttl).min() ?? 0
        if let failure = failure(in: codes, isZEN: isZEN) { return (.failed(failure), min(ttl, 60)) }
        return (.listed(codes.map { DNSBLListing(code: $0, zen: isZEN ? ZENList(code: $0) : nil) }), ttl)
    }

    /// The A records that answer the question, and the CNAMEs that lead to them: those owned by the
    /// name asked, or by the target of a CNAME already followed (RFC 1034 section 3.6.2). Records of
    /// other names in the answer section (stray or injected) are not the list's answer.
    private static func chain(_ response: DNSResponse) -> (records: [DNSRecord], aliases: [DNSRecord]) {
        guard let question = response.questions.first else { return ([], []) }
        var names: Set<String> = [canonical(question.name)]
        var aliases: [DNSRecord] = []
        var followed = true
        // Each round follows at least one more CNAME, and there are as many rounds as CNAMEs at most.
        while followed {
            followed = false
            for record in response.answers where record.type == .cname && !aliases.contains(record) {
                guard case .cname(let target) = record.data, names.contains(canonical(record.name)) else { continue }
                aliases.append(record)
                names.insert(canonical(target))
                followed = true
            }
        }
        let records = response.answers.filter { $0.type == .a && names.contains(canonical($0.name)) }
        return (records, aliases)
    }

    /// Lowercase ASCII without a final dot: the form names compare in.
    private static func canonical(_ name: String) -> String {
        let name = name.hasSuffix(".") ? name.dropLast() : Substring(name)
        return String(decoding: name.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// 127.255.255.x codes are the list's error channel; codes outside 127/8 are not list answers at
    /// all, nor is 127.0.0.1, which no list may return (RFC 5782 section 5): a filtering or sinkholing
    /// resolver answers it for every name, and taking it for a listing would refuse all mail. For
    /// ZEN, only its documented codes, 127.0.0.2 to 127.0.0.11, are listings.
    private static func failure(in codes: [[UInt8]], isZEN: Bool) -> DNSBLFailure? {
        for code in codes {
            let text = code.map(String.init).joined(separator: ".")
            guard code[0] == 127, code != [127, 0, 0, 1] else { return DNSBLFailure(.unexpectedAnswer, detail: text) }
            if code[1] == 255, code[2] == 255 {
                switch code[3] {
                case 252: return DNSBLFailure(.zoneTypo, detail: text)
                case 254: return DNSBLFailure(.publicResolverBlocked, detail: text)
                case 255: return DNSBLFailure(.overQuota, detail: text)
                default: return DNSBLFailure(.listError, detail: text)
                }
            }
            if isZEN, ZENList(code: code).map({ $0 == .unknown }) ?? true {
                return DNSBLFailure(.unexpectedAnswer, detail: text)
            }
        }
        return nil
    }

    /// The shortest SOA data: two root names (1 byte each) and five 32-bit numbers.
    static let minimumSOALength = 22

    /// RFC 2308: the SOA's own TTL bounded by its MINIMUM field (the last of its five numbers).
    private static func negativeTTL(_ response: DNSResponse) -> UInt32 {
        for record in response.authorities where record.type == .soa {
            guard case .other(let data) = record.data, data.count >= minimumSOALength else { continue }
            let minimum = data.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return min(record.ttl, minimum)
        }
        return defaultNegativeTTL
    }
}
