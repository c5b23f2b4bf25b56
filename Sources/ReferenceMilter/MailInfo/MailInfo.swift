import MailMessage
import MilterProtocol
import NIOConcurrencyHelpers

/// Everything the MTA told the milter about one message, as the classifier sees it.
///
/// The envelope, the client and the macros come from the protocol; the header fields and the
/// body are the message as the MTA sent it (the body possibly truncated, see ``isBodyTruncated``).
/// Accessors in srmilter's style (``fromAddress``, ``subject``, ``onlyRecipient``, …) return `""`
/// when the information is missing.
public struct MailInfo: Sendable {
    /// The SMTP client.
    public var client: ClientInfo
    /// The HELO/EHLO name, `""` before HELO.
    public var helo: String
    /// MAIL FROM, once given.
    public var sender: EnvelopeEntry?
    /// The accepted RCPT TOs, in order, each with its own macros.
    public var recipients: [EnvelopeEntry]
    /// The macros of every stage so far.
    public var macros: MacroTable
    /// The header fields in order, byte for byte: the value keeps its leading space and folding (CRLF).
    ///
    /// The server asks the MTA for HDR_LEADSPC, so with Postfix and Sendmail 8.14+ a value is exactly
    /// what follows the colon in the message. From an MTA that does not offer it, which takes one space
    /// after the colon off, the value gets one space back: `Subject:hi` then reads ` hi`.
    public var headerFields: [RawHeaderField] { didSet { forgetParsedMessage() } }
    /// The body with CRLF line ends, cut at the truncation limit.
    public var body: [UInt8] { didSet { forgetParsedMessage() } }
    private var parsed = ParsedMessage()
    /// Whether the body was cut because of the truncation limit.
    public var isBodyTruncated: Bool

    /// Creates a description; the server fills it in as the protocol goes.
    public init(
        client: ClientInfo = ClientInfo(), helo: String = "", sender: EnvelopeEntry? = nil,
        recipients: [EnvelopeEntry] = [], macros: MacroTable = MacroTable(), headerFields: [RawHeaderField] = [],
        body: [UInt8] = [], isBodyTruncated: Bool = false
    ) {
        self.client = client
        self.helo = helo
        self.sender = sender
        self.recipients = recipients
        self.macros = macros
        self.headerFields = headerFields
        self.body = body
        self.isBodyTruncated = isBodyTruncated
    }

    /// The queue id (macro `i`), or `-` as srmilter logs it when the MTA sent none.
    public var queueID: String {
        guard let id = macros["i"], !id.isEmpty else { return "-" }
        return id
    }

    /// The message as header fields and body, byte for byte.
    public var rawMessage: RawMessage { RawMessage(headerFields: headerFields, body: body[...]) }

    /// The parsed message: decoded headers, addresses, MIME parts, text and attachments.
    /// Parsed on first use (on the classifier's thread), then kept. Every header field the MTA sent
    /// is kept (the memory budget bounds them already): a From past 2,000 padding fields counts.
    public var message: MIMEMessage {
        parsed.message {
            let bytes = messageBytes
            return MIMEMessage(parsing: bytes, limits: .keepingEveryField(ofMessageOf: bytes.count))
        }
    }

    /// Empties the description as `MailInfo()` would make it, keeping the storage no copy shares: the macro table's
    /// stages and the parse cache (emptied), where a new description allocates both and a lock.
    mutating func removeAll() {
        client = ClientInfo()
        helo = ""
        sender = nil
        recipients = []
        macros.removeAll()
        headerFields = []
        body = []
        isBodyTruncated = false
    }

    /// The content changed: a parse kept so far is no longer this message's. A holder no other copy
    /// shares is emptied in place (the server sets the header fields and the body of every message);
    /// a shared one is replaced, so that the other copies keep theirs.
    private mutating func forgetParsedMessage() {
        if isKnownUniquelyReferenced(&parsed) {
            parsed.forget()
        } else {
            parsed = ParsedMessage()
        }
    }

    /// The message bytes as they would be written to a file (headers, blank line, body).
    public var messageBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + headerFields.count * 64)
        for field in headerFields {
            bytes += field.nameBytes
            bytes.append(UInt8(ascii: ":"))
            bytes += field.valueBytes
            bytes += [0x0D, 0x0A]
        }
        bytes += [0x0D, 0x0A]
        bytes += body
        return bytes
    }
}

/// Holds the parsed message once computed; shared by copies of one ``MailInfo`` until it changes.
private final class ParsedMessage: Sendable {
    private let box = NIOLockedValueBox<MIMEMessage?>(nil)

    func message(_ parse: () -> MIMEMessage) -> MIMEMessage {
        box.withLockedValue { cached in
            if let cached { return cached }
            let message = parse()
            cached = message
            return message
        }
    }

    /// Drops the parse kept, if any.
    func forget() { box.withLockedValue { $0 = nil } }
}
