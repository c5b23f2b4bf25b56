import MailMessage

/// The outcome of one DNSBL lookup.
public enum DNSBLResult: Hashable, Sendable {
    /// The list does not hold the address (NXDOMAIN, or no A record).
    case notListed
    /// The list holds the address; one entry per return code, in answer order.
    case listed([DNSBLListing])
    /// The address was not asked about: loopback, private, link-local or reserved.
    case skipped
    /// The list could not say: a timeout, a resolver error, or a `127.255.255.x` error answer.
    case failed(DNSBLFailure)

    /// True only for ``listed(_:)``.
    public var isListed: Bool {
        if case .listed = self { return true }
        return false
    }
}

/// One return code of a listing, such as `127.0.0.4`.
public struct DNSBLListing: Hashable, Sendable, CustomStringConvertible {
    /// The answer's address bytes.
    public let code: [UInt8]
    /// What the code means if the zone is Spamhaus ZEN; `nil` for other zones.
    public let zen: ZENList?

    /// Creates a listing.
    public init(code: [UInt8], zen: ZENList?) {
        self.code = code
        self.zen = zen
    }

    /// The code as dotted text.
    public var address: String { code.map(String.init).joined(separator: ".") }

    /// `127.0.0.4 (xbl)`, or the bare code.
    public var description: String { zen.map { "\(address) (\($0.rawValue))" } ?? address }
}

/// Why a lookup gave no answer. The description holds no address.
public struct DNSBLFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Hashable, Sendable {
        /// No answer within the timeout.
        case timeout
        /// The resolver failed otherwise (network error, a server whose port is closed, malformed
        /// answer, SERVFAIL, REFUSED…). The detail is the DNS error's kind, without its server.
        case resolver
        /// `127.255.255.254`: the list refuses queries from public or open resolvers.
        case publicResolverBlocked
        /// `127.255.255.255`: too many queries (over the free-use quota).
        case overQuota
        /// `127.255.255.252`: the zone name is mistyped.
        case zoneTypo
        /// Another `127.255.255.x` error code.
        case listError
        /// An answer outside 127.0.0.0/8: a wildcarding resolver or a zone that no longer exists.
        case unexpectedAnswer
    }

    /// The kind.
    public let kind: Kind
    /// Detail without personal data (a response code, the error code address).
    public let detail: String

    /// Creates a failure.
    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    /// `DNSBL: <kind> (detail)`.
    public var description: String { detail.isEmpty ? "DNSBL: \(kind)" : "DNSBL: \(kind) (\(detail))" }
}
