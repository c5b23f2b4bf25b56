/// A Content-Type field (RFC 2045 section 5): media type, subtype and parameters.
public struct ContentType: Sendable, Hashable {
    /// The top-level type, lowercased: `text`, `multipart`, `image`, ...
    public var type: String
    /// The subtype, lowercased: `plain`, `mixed`, `png`, ...
    public var subtype: String
    /// The parameters with lowercased names and decoded values (RFC 2231 and RFC 2047 applied).
    public var parameters: [String: String]

    /// Creates a content type.
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// Parses a raw field value. The type and the subtype are RFC 2045 tokens (no space, control or
    /// tspecial such as `/`, `"` or `=`); the subtype ends where a token does, so `text/plain/extra` is
    /// `text/plain` and `image/jpeg name=a.jpg` (a missing `;`) is `image/jpeg`. A value whose type is not a
    /// token or that has no subtype gives `text/plain` (RFC 2045 section 5.2).
    public init(parsing value: ArraySlice<UInt8>) {
        let (media, parameters) = MIMEParameters.parse(value)
        let pieces = media.split(separator: "/", maxSplits: 1).map(\.trimmedWhitespace)
        let subtype = pieces.count == 2 ? String(pieces[1].prefix(while: Self.isTokenCharacter)) : ""
        if pieces.count == 2, !pieces[0].isEmpty, pieces[0].allSatisfy(Self.isTokenCharacter), !subtype.isEmpty {
            self.init(type: pieces[0], subtype: subtype, parameters: parameters)
        } else {
            self.init(type: "text", subtype: "plain", parameters: parameters)
        }
    }

    /// True for a character of an RFC 2045 token: printable ASCII except space and the tspecials `()<>@,;:\"/[]?=`.
    static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii > 0x20 && ascii < 0x7F && !#"()<>@,;:\"/[]?="#.contains(character)
    }

    /// `text/plain; charset=us-ascii`, the RFC 2045 default.
    public static let textPlain = ContentType(type: "text", subtype: "plain")
    /// `message/rfc822`, the default inside multipart/digest.
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// `type/subtype`.
    public var mediaType: String { type + "/" + subtype }
    /// The `charset` parameter, if any.
    public var charset: String? { parameters["charset"] }
    /// The `boundary` parameter, if any.
    public var boundary: String? { parameters["boundary"] }
    /// The `name` parameter, if any (an old way to give a filename).
    public var name: String? { parameters["name"] }
    /// True for `multipart/*`.
    public var isMultipart: Bool { type == "multipart" }
    /// True for an embedded message: `message/rfc822` or `message/global` (RFC 6532).
    public var isEmbeddedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }
}

/// A Content-Disposition field (RFC 2183).
public struct ContentDisposition: Sendable, Hashable {
    /// The disposition type, lowercased: `inline`, `attachment`, ...
    public var kind: String
    /// The parameters with lowercased names and decoded values.
    public var parameters: [String: String]

    /// Parses a raw field value. The disposition type is the RFC 2045 token it starts with, so that
    /// `attachment filename=a.exe` (a missing `;`) is still `attachment`.
    public init(parsing value: ArraySlice<UInt8>) {
        let (kind, parameters) = MIMEParameters.parse(value)
        self.kind = String(kind.prefix(while: ContentType.isTokenCharacter))
        self.parameters = parameters
    }

    /// The `filename` parameter, if any.
    public var filename: String? { parameters["filename"] }
    /// True for `attachment`.
    public var isAttachment: Bool { kind == "attachment" }
}
