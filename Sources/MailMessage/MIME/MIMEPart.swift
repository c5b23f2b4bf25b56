/// One MIME entity: its header fields and its content (RFC 2045, RFC 2046).
///
/// A leaf keeps its body undecoded in ``rawBody``; ``decodedBody`` and ``text`` decode on demand,
/// so parsing costs nothing for parts nobody reads.
public struct MIMEPart: Sendable, Hashable {
    /// The part's header fields.
    public var headers: HeaderFields
    /// The parsed Content-Type, or the default (`text/plain`, or `message/rfc822` in a digest); `text/plain`
    /// for a multipart type without a boundary, whose body cannot be split.
    public var contentType: ContentType
    /// The parsed Content-Disposition, if present.
    public var contentDisposition: ContentDisposition?
    /// The parsed Content-Transfer-Encoding.
    public var transferEncoding: TransferEncoding
    /// The body as it appears in the message, still transfer-encoded.
    public var rawBody: ArraySlice<UInt8>
    /// What the body contains.
    public var content: MIMEContent
    /// Lines before the part's first field that start with white space, set aside from both fields and body
    /// (``RawMessage/leadingContinuationLines``); usually none.
    public var leadingContinuationLines: [[UInt8]] = []

    /// Creates a part.
    public init(
        headers: HeaderFields, contentType: ContentType, contentDisposition: ContentDisposition?,
        transferEncoding: TransferEncoding, rawBody: ArraySlice<UInt8>, content: MIMEContent
    ) {
        self.headers = headers
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.transferEncoding = transferEncoding
        self.rawBody = rawBody
        self.content = content
    }

    /// The body with the transfer encoding removed.
    public var decodedBody: [UInt8] { transferEncoding.decode(rawBody) }

    /// For `text/*` parts, the body decoded to a String with the part's charset; nil otherwise.
    /// An unknown charset falls back to lossy UTF-8 (undecodable bytes show as U+FFFD).
    public var text: String? {
        guard contentType.type == "text" else { return nil }
        let bytes = decodedBody
        guard let charset = contentType.charset else { return Charsets.decodeUnlabelled(bytes[...]) }
        return Charsets.decodeLenient(bytes[...], charset: charset)
    }

    /// The filename from Content-Disposition, else from the Content-Type `name` parameter.
    public var filename: String? { contentDisposition?.filename ?? contentType.name }

    /// True for a part meant to be saved rather than read: disposition `attachment`, a filename,
    /// or a leaf whose type is not `text/plain` or `text/html`. Multipart containers are never attachments.
    public var isAttachment: Bool {
        if contentType.isMultipart { return false }
        if contentDisposition?.isAttachment == true || filename != nil { return true }
        return !(contentType.type == "text" && (contentType.subtype == "plain" || contentType.subtype == "html"))
    }

    /// The Content-ID without angle brackets, if present.
    public var contentID: String? { headers.first(named: "Content-ID").flatMap { MessageID.parse($0.valueBytes[...]) } }
}

/// The content of a ``MIMEPart``.
public indirect enum MIMEContent: Sendable, Hashable {
    /// A leaf: the body is data (text, image, ...). Also used for containers past a limit.
    case single
    /// A multipart container with its sub-parts.
    case multipart(Multipart)
    /// An embedded message (`message/rfc822`): its top-level entity.
    case message(MIMEPart)
}

/// The parts of a multipart body and what surrounds them.
public struct Multipart: Sendable, Hashable {
    /// The bytes before the first delimiter, ignored by readers.
    public var preamble: ArraySlice<UInt8>
    /// The sub-parts in order.
    public var parts: [MIMEPart]
    /// The bytes after the close delimiter.
    public var epilogue: ArraySlice<UInt8>
    /// False when the close delimiter (`--boundary--`) was missing.
    public var isClosed: Bool

    /// Creates a multipart body.
    public init(preamble: ArraySlice<UInt8>, parts: [MIMEPart], epilogue: ArraySlice<UInt8>, isClosed: Bool) {
        self.preamble = preamble
        self.parts = parts
        self.epilogue = epilogue
        self.isClosed = isClosed
    }
}
