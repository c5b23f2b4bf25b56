import MailMessage
import MilterProtocol

/// One message to replay: its envelope and its content, as the SMTP client handed them over.
public struct MilterMessage: Hashable, Sendable {
    /// MAIL FROM, with angle brackets and ESMTP arguments.
    public var sender: EnvelopeAddress
    /// RCPT TO, in order.
    public var recipients: [EnvelopeAddress]
    /// The header fields, byte for byte.
    public var headerFields: [RawHeaderField] {
        didSet { wire = MessageWireForm(headerFields: headerFields, body: body) }
    }
    /// The body as stored, any line ends; it is sent with CRLF.
    public var body: [UInt8] { didSet { wire = MessageWireForm(headerFields: headerFields, body: body) } }
    /// The content as it goes to the milter, kept in step with ``headerFields`` and ``body``.
    private(set) var wire: MessageWireForm

    /// Creates a message.
    public init(
        sender: EnvelopeAddress, recipients: [EnvelopeAddress], headerFields: [RawHeaderField], body: [UInt8]
    ) {
        self.sender = sender
        self.recipients = recipients
        self.headerFields = headerFields
        self.body = body
        self.wire = MessageWireForm(headerFields: headerFields, body: body)
    }

    /// Creates a message from a split .eml file.
    ///
    /// A file whose first line starts with white space (`content.leadingContinuationLines` not empty) goes as
    /// Postfix and Sendmail send it: with no header fields, the whole message (`content.serialized()`: those lines,
    /// the fields after them, an empty line and the body) as body.
    public init(sender: EnvelopeAddress, recipients: [EnvelopeAddress], content: RawMessage) {
        guard content.leadingContinuationLines.isEmpty else {
            self.init(sender: sender, recipients: recipients, headerFields: [], body: content.serialized())
            return
        }
        self.init(sender: sender, recipients: recipients, headerFields: content.headerFields, body: Array(content.body))
    }

    /// The value of the first `Message-ID` field, trimmed, for Sendmail's `{msg_id}`.
    public var messageID: String? { wire.messageID }

    /// The HEADER payloads as the MTA sends them when the milter agreed on HDR_LEADSPC (the leading space kept,
    /// folding as bare LF): `test` checks their sizes against its milter's frame limit.
    package var headerPayloadsWithLeadingSpace: [HeaderField] {
        headerFields.map { MessageWireForm.header($0, keepLeadingSpace: true) }
    }

    /// A hash of the message that is cheap to take: the envelope addresses', with the content's
    /// worked out once. Equal messages have equal hashes.
    package var lookupHash: Int {
        var hasher = Hasher()
        hasher.combine(wire.contentHash)
        // The addresses' bytes at once (an array of bytes hashes byte by byte); their ESMTP
        // arguments are left to the comparison that follows a lookup.
        sender.address.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(recipients.count)
        for recipient in recipients { recipient.address.bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
        return hasher.finalize()
    }
}

extension EnvelopeAddress {
    /// An envelope address from a bare mailbox: `alice@example.org` becomes `<alice@example.org>`.
    public init(mailbox: String, arguments: [String] = []) {
        let bracketed = mailbox.hasPrefix("<") ? mailbox : "<\(mailbox)>"
        self.init(address: MilterString(bracketed), arguments: arguments.map { MilterString($0) })
    }

    /// The address without angle brackets, as `{mail_addr}` and `{rcpt_addr}` carry it.
    public var mailbox: String { address.string.unbracketed }
}

extension String {
    /// The string without one pair of enclosing angle brackets.
    var unbracketed: String {
        guard hasPrefix("<"), hasSuffix(">"), count >= 2 else { return self }
        return String(dropFirst().dropLast())
    }

    /// The string without leading and trailing spaces, tabs, CR and LF.
    var trimmingASCIIWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

}
