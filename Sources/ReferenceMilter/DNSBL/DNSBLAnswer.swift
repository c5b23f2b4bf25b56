import MilterDNS

/// Turns a DNS response to a DNSBL A query into a result and how long it may be cached.
enum DNSBLAnswer {
    /// Negative answers without an SOA in the authority section are kept this long.
    static let defaultNegativeTTL: UInt32 = 300

    static func decode(_ response: DNSResponse, isZEN: Bool) -> (result: DNSBLResult, ttl: UInt32) {
        switch response.responseCode {
        case .nameError:
            return (.notListed, negativeTTL(response))
        case .noError:
            break
        default:
            return (.failed(DNSBLFailure(.resolver, detail: "\(response.responseCode)")), 0)
        }
        let records = response.answers.filter { $0.type == .a }
        var codes: [[UInt8]] = []
        for record in records { if case .a(let bytes) = record.data { codes.append(bytes) } }
        guard !codes.isEmpty else { return (.notListed, negativeTTL(response)) }
        let ttl = records.map(\.ttl).min() ?? 0
        if let failure = failure(in: codes, isZEN: isZEN) { return (.failed(failure), min(ttl, 60)) }
        return (.listed(codes.map { DNSBLListing(code: $0, zen: isZEN ? ZENList(code: $0) : nil) }), ttl)
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

    /// RFC 2308: the SOA's own TTL bounded by its MINIMUM field.
    private static func negativeTTL(_ response: DNSResponse) -> UInt32 {
        for record in response.authorities where record.type == .soa {
            guard case .other(let data) = record.data, data.count >= 4 else { continue }
            let minimum = data.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return min(record.ttl, minimum)
        }
        return defaultNegativeTTL
    }
}
