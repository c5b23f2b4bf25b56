import MailMessage

/// srmilter's accessors: each returns `""` (or 0, or an empty list) when the information is missing.
extension MailInfo {
    /// The first field called `name`, unfolded and RFC 2047-decoded, without surrounding spaces.
    ///
    /// The decoded text is the sender's: an encoded word may decode to CR, LF or NUL (`=0D=0A`), and
    /// they are kept. A header edit that carries such text on is refused (the message gets the failure
    /// verdict); replace them first if the text is to go back into a header.
    public func header(_ name: String) -> String {
        guard let field = headerFields.first(where: { $0.hasName(name) }) else { return "" }
        return field.decodedValue.trimmingSpaces
    }

    /// Every field called `name`, decoded, in order.
    public func headers(_ name: String) -> [String] {
        headerFields.filter { $0.hasName(name) }.map(\.decodedValue.trimmingSpaces)
    }

    /// The decoded Subject, as ``header(_:)`` gives it: it may hold CR, LF or NUL from an encoded word,
    /// so `changeHeader("Subject", "[checked] " + subject)` is refused unless they are replaced first.
    public var subject: String { header("Subject") }
    /// The From address.
    public var fromAddress: String { message.from.address }
    /// The From display name.
    public var fromName: String { message.from.name }
    /// The first To address.
    public var toAddress: String { message.to.first?.address ?? "" }
    /// The first To display name.
    public var toName: String { message.to.first?.name ?? "" }
    /// The Reply-To address.
    public var replyToAddress: String { message.replyTo.address }
    /// The Reply-To display name.
    public var replyToName: String { message.replyTo.name }
    /// The Sender header's address (not the envelope sender: see ``senderAddress``).
    public var senderHeaderAddress: String { message.sender.address }

    /// The spam score from `X-Spam-Score`, 0 when absent or unreadable.
    public var spamScore: Double { Double(header("X-Spam-Score")) ?? 0 }

    /// The envelope sender without brackets; `""` for the null sender or before MAIL.
    public var senderAddress: String { sender?.address ?? "" }
    /// The envelope recipients without brackets.
    public var recipientAddresses: [String] { recipients.map(\.address) }
    /// The only envelope recipient, or `""` unless there is exactly one.
    public var onlyRecipient: String { recipients.count == 1 ? recipients[0].address : "" }

    /// The plain-text body (HTML rendered as text when there is no plain part).
    public var textBody: String { message.textBody }
    /// The attachments, decoded.
    public var attachments: [Attachment] { message.attachments }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    package var trimmingSpaces: String {
        // A decoded header value comes trimmed already: then it is returned as it is, not copied.
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.first, let last = utf8.last else { return self }
        if !isSpace(first) && !isSpace(last) { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex { $0 != " " && $0 != "\t" }!
        return String(scalars[start...end])
    }
}
