/// The Spamhaus ZEN sub-lists a return code names
/// ([Spamhaus DNSBL return codes](https://docs.spamhaus.com/datasets/docs/source/40-real-world-usage/PublicMirrors/MTAs/020-Postfix.html)).
public enum ZENList: String, Hashable, Sendable, CaseIterable {
    /// `127.0.0.2`: SBL, known spam sources and operations.
    case sbl
    /// `127.0.0.3`: SBL CSS, snowshoe and low-reputation senders.
    case css
    /// `127.0.0.4` to `127.0.0.7`: XBL, exploited hosts (infected, proxies).
    case xbl
    /// `127.0.0.9`: DROP/EDROP, hijacked netblocks.
    case drop
    /// `127.0.0.10`: PBL ranges declared by the ISP as not for direct mail.
    case pblISP = "pbl-isp"
    /// `127.0.0.11`: PBL ranges Spamhaus maintains.
    case pblSpamhaus = "pbl-spamhaus"
    /// Another `127.0.0.x` code: not one ZEN returns, so the DNSBL checker reports the answer as
    /// unexpected (``DNSBLFailure/Kind/unexpectedAnswer``) instead of as a listing.
    case unknown

    /// The list for a `127.0.0.x` code, or `nil` for answers outside 127.0.0.0/24.
    public init?(code: [UInt8]) {
        guard code.count == 4, code[0] == 127, code[1] == 0, code[2] == 0 else { return nil }
        switch code[3] {
        case 2: self = .sbl
        case 3: self = .css
        case 4...7: self = .xbl
        case 9: self = .drop
        case 10: self = .pblISP
        case 11: self = .pblSpamhaus
        default: self = .unknown
        }
    }

    /// True for the PBL codes, which list dynamic ranges rather than bad behaviour: use them
    /// for the connecting client only, never for older hops.
    public var isPolicyList: Bool { self == .pblISP || self == .pblSpamhaus }
}
