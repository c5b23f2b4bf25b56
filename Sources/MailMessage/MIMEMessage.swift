/// A parsed message: the raw header fields, the MIME tree, and the accessors a classifier wants.
///
/// ```swift
/// let message = MIMEMessage(parsing: Array("From: Ann <ann@example.com>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n\r\nhi\r\n".utf8))
/// // message.from.address == "ann@example.com", message.subject == "café", message.textBody == "hi\r\n"
/// ```
///
/// Parsing never fails and never traps. Past a ``ParseLimits`` bound it stops descending and sets
/// ``isTruncated``.
public struct MIMEMessage: Sendable, Hashable {
    /// The top-level entity: the message's own header fields and its content.
    public var root: MIMEPart
    /// True when a limit cut parsing short (fields, parts or depth were dropped).
    public var isTruncated: Bool
    /// How many MIME entities were parsed, the top level included.
    public var partCount: Int

    /// Parses a message.
    public init(parsing bytes: [UInt8], limits: ParseLimits = .default) {
        self.init(parsing: bytes[...], limits: limits)
    }

    /// Parses a message held in a slice; parts share the slice's storage.
    public init(parsing bytes: ArraySlice<UInt8>, limits: ParseLimits = .default) {
        var parser = MIMEParser(limits: limits, inputSize: bytes.count)
        root = parser.parsePart(bytes, depth: 0, defaultType: .textPlain)
        isTruncated = parser.isTruncated
        partCount = parser.partCount
    }

    /// Parses a message that is already split into header fields and body, such as the fields and
    /// body a milter received; the header fields are used as they are (not limited again).
    public init(raw: RawMessage, limits: ParseLimits = .default) {
        var parser = MIMEParser(limits: limits, inputSize: raw.body.count)
        root = parser.parsePart(raw, depth: 0, defaultType: .textPlain)
        isTruncated = parser.isTruncated
        partCount = parser.partCount
    }

    /// Wraps an already parsed entity (for example an embedded message/rfc822 part).
    public init(root: MIMEPart, isTruncated: Bool = false, partCount: Int = 1) {
        self.root = root
        self.isTruncated = isTruncated
        self.partCount = partCount
    }

    /// The top-level header fields.
    public var headers: HeaderFields { root.headers }

    /// The decoded (unfolded, RFC 2047) value of the first field called `name`, or nil.
    public func header(_ name: String) -> String? { root.headers[name] }
}
