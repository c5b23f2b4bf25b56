/// A file carried by a message: a leaf part meant to be saved, or an embedded message.
public struct Attachment: Sendable, Hashable {
    /// The filename (decoded), or `""` when the part names none.
    public var filename: String
    /// `type/subtype`, lowercased.
    public var mediaType: String
    /// The decoded content.
    public var data: [UInt8]
    /// The Content-ID without angle brackets, for inline images referenced from HTML.
    public var contentID: String?
    /// True when the disposition is `inline` rather than `attachment`.
    public var isInline: Bool

    /// The decoded size in bytes.
    public var size: Int { data.count }

    /// Creates an attachment from a part, decoding its body.
    public init(part: MIMEPart) {
        filename = part.filename ?? ""
        mediaType = part.contentType.mediaType
        data = part.decodedBody
        contentID = part.contentID
        isInline = part.contentDisposition?.kind == "inline"
    }
}
