import MailMessage

/// The canonical view of a parsed message that `interop/mailmessage/email_peer.py` prints for Python's
/// `email` package, built here from ``MIMEMessage`` so that the two can be compared facet by facet.
struct EmailPeerView: Codable, Equatable {
    struct Part: Codable, Equatable {
        var type: String
        var params: [String: String]
        var disposition: String?
        var filename: String?
        /// Sub-parts of a container (an embedded message has one).
        var children: Int?
        /// Decoded body size of a leaf.
        var size: Int?
        /// FNV-1a 64 of the decoded body of a leaf, 16 hex digits.
        var hash: String?
        /// Decoded text of a text leaf; nil when Python does not know the charset (then not compared).
        var text: String?
    }

    var file: String
    var headerNames: [String]
    /// `[name, decoded value]` of the unstructured top-level fields.
    var unstructured: [[String]]
    var subject: String?
    /// `[[display name, address]]` of the first field of each address field name present.
    var addresses: [String: [[String]]]
    /// `[seconds since 1970, UTC offset in minutes]`.
    var date: [Int]?
    var messageID: String?
    var parts: [Part]

    static let addressFields = ["From", "Sender", "Reply-To", "To", "Cc", "Bcc"]

    /// Fields Python's default policy parses as structured; the others are compared as decoded text.
    static let structured: Set<String> = [
        "subject", "date", "resent-date", "orig-date", "sender", "resent-sender", "to", "resent-to", "cc",
        "resent-cc", "bcc", "resent-bcc", "from", "resent-from", "reply-to", "mime-version", "content-type",
        "content-disposition", "content-transfer-encoding", "message-id",
    ]

    init(file: String, message: MIMEMessage) {
        self.file = file
        let fields = message.headers.fields
        headerNames = fields.map(\.name)
        unstructured = fields.filter { !Self.structured.contains($0.name.lowercased()) }.map {
            [$0.name, $0.decodedValue]
        }
        subject = message.header("Subject")
        var addresses: [String: [[String]]] = [:]
        for name in Self.addressFields {
            guard let field = message.headers.first(named: name) else { continue }
            addresses[name] = AddressList(parsing: field.valueBytes[...]).mailboxes.map { [$0.name, $0.address] }
        }
        self.addresses = addresses
        date = message.date.map { [Int($0.secondsSince1970), $0.utcOffsetMinutes] }
        messageID = message.messageID
        parts = message.allParts.map(Self.view)
    }

    private static func view(_ part: MIMEPart) -> Part {
        var view = Part(
            type: part.contentType.mediaType, params: part.contentType.parameters,
            disposition: part.contentDisposition?.kind, filename: part.filename)
        switch part.content {
        case .multipart(let multipart): view.children = multipart.parts.count
        case .message: view.children = 1
        case .single:
            let body = part.decodedBody
            view.size = body.count
            view.hash = fnv1a64(body)
            view.text = part.text
        }
        return view
    }

    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01B3
        }
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
