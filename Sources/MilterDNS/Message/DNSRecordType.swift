/// A resource record type ([RFC 1035 §3.2.2](https://www.rfc-editor.org/rfc/rfc1035#section-3.2.2)).
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value.
    public let rawValue: UInt16

    /// Wraps a wire value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// An IPv4 address (1).
    public static let a = DNSRecordType(rawValue: 1)
    /// The authoritative name servers (2).
    public static let ns = DNSRecordType(rawValue: 2)
    /// An alias (5).
    public static let cname = DNSRecordType(rawValue: 5)
    /// The zone's start of authority (6), seen in negative answers.
    public static let soa = DNSRecordType(rawValue: 6)
    /// Text strings (16).
    public static let txt = DNSRecordType(rawValue: 16)
    /// An IPv6 address (28).
    public static let aaaa = DNSRecordType(rawValue: 28)

    /// The mnemonic, or `TYPEn`.
    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        default: "TYPE\(rawValue)"
        }
    }
}

/// A response code ([RFC 1035 §4.1.1](https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1)).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The four-bit wire value.
    public let rawValue: UInt8

    /// Wraps a wire value.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// NOERROR.
    public static let noError = DNSResponseCode(rawValue: 0)
    /// FORMERR: the server could not read the query.
    public static let formatError = DNSResponseCode(rawValue: 1)
    /// SERVFAIL.
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    /// NXDOMAIN: the name does not exist.
    public static let nameError = DNSResponseCode(rawValue: 3)
    /// NOTIMP.
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    /// REFUSED.
    public static let refused = DNSResponseCode(rawValue: 5)

    /// The mnemonic, or `RCODEn`.
    public var description: String {
        let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : "RCODE\(rawValue)"
    }
}
