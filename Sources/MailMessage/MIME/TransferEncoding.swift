/// A Content-Transfer-Encoding (RFC 2045 section 6).
public enum TransferEncoding: Sendable, Hashable {
    /// `7bit`, the default.
    case sevenBit
    /// `8bit`.
    case eightBit
    /// `binary`.
    case binary
    /// `base64`, decoded leniently.
    case base64
    /// `quoted-printable`, decoded leniently.
    case quotedPrintable
    /// Any other label, lowercased; the body is passed through unchanged.
    case other(String)

    /// Parses a raw field value; unknown labels become ``other(_:)``.
    public init(parsing value: ArraySlice<UInt8>) {
        let label = ASCII.lowercased(ASCII.trimmed(MessageID.stripComments(Unfolding.unfold(value))))
        switch label {
        case "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .other(label)
        }
    }

    /// Decodes a body in this encoding.
    public func decode(_ body: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .base64: Base64.decode(body)
        case .quotedPrintable: QuotedPrintable.decode(body)
        default: Array(body)
        }
    }

    /// True when decoding changes the bytes (base64, quoted-printable).
    public var transformsBytes: Bool { self == .base64 || self == .quotedPrintable }
}
