import MilterProtocol
import NIOCore

/// A message rebuilt from a captured session, as RFC 5322 bytes.
public struct ExportedMessage: Sendable {
    /// The session's stream.
    public var stream: StreamID
    /// The message's number within its session, from 1.
    public var index: Int
    /// The bytes: envelope headers, the headers and body as the MTA sent them.
    public var bytes: [UInt8]
    /// False when frames of the message were cut or missing; the file then says so in `X-Capture-Incomplete`.
    public var isComplete: Bool

    /// How many messages its session has: the message number in ``fileName`` is padded with zeros to its width.
    public var sessionMessageCount: Int = 1

    /// How many digits the stream number in ``fileName`` has, padded with zeros: the digit count of the largest
    /// stream number of the export, so that `ls` sorts the streams in their order (`stream-02` before
    /// `stream-10`). 1 (no padding) until the export knows it.
    public var streamWidth: Int = 1

    /// `stream-3-message-1.eml`; `stream-3-message-01.eml` in a session of 10 to 99 messages, and `stream-03-…` in
    /// an export whose streams go up to 10 to 99 (``streamWidth``), so that the names sort in their order.
    public var fileName: String {
        Self.fileName(
            stream: stream.index, index: index, sessionMessageCount: sessionMessageCount, streamWidth: streamWidth)
    }

    /// The name ``fileName`` gives message `index` of `sessionMessageCount` in stream `stream`, its number padded
    /// to `streamWidth` digits.
    static func fileName(stream: Int, index: Int, sessionMessageCount: Int, streamWidth: Int) -> String {
        "stream-\(padded(stream, to: streamWidth))-message-\(padded(index, to: String(sessionMessageCount).count)).eml"
    }

    /// `number` with zeros before it up to `width` digits.
    static func padded(_ number: Int, to width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Rebuilds each message that reached end-of-message in a session: the envelope becomes `X-Envelope-From`
/// and `X-Envelope-To` headers (recipients the milter rejected are left out), then the headers and the body
/// exactly as the MTA sent them to the milter, with CRLF line ends. A capture so becomes a replay corpus.
public enum EMLExporter {
    /// The messages of `session`, in order.
    public static func messages(in session: CapturedSession) -> [ExportedMessage] {
        var state = ExportState()
        for entry in session.entries {
            switch entry {
            case .frame(let frame): state.handle(frame)
            case .issue: state.damaged()
            }
        }
        return state.finished.enumerated().map { index, builder in
            ExportedMessage(
                stream: session.info.stream, index: index + 1, bytes: builder.render(),
                isComplete: builder.isComplete, sessionMessageCount: state.finished.count)
        }
    }
}

/// Follows a session's frames to collect each transaction.
private struct ExportState {
    var offer: OptionNegotiation?
    var leadingSpace = false
    var current: MessageBuilder?
    var pendingRecipient: EnvelopeAddress?
    var finished: [MessageBuilder] = []
    /// A gap or cut frame outside a message: the next message may have lost its MAIL or RCPT.
    var nextIsDamaged = false

    mutating func handle(_ frame: CapturedFrame) {
        switch frame.decoded {
        case .command(let command): handle(command)
        case .reply(let reply): handle(reply)
        case .invalid, .truncated: damaged()
        }
    }

    mutating func damaged() {
        if current == nil { nextIsDamaged = true } else { current?.isComplete = false }
    }

    /// The message in progress; a message whose MAIL was lost still collects its headers and body.
    private mutating func ensureMessage() {
        guard current == nil else { return }
        current = MessageBuilder(sender: nil)
        current?.isComplete = false
    }

    private mutating func handle(_ command: MilterCommand) {
        if command.id != .macro { settleRecipient(rejected: false) }
        switch command {
        case .optionNegotiation(let value): offer = value
        case .mail(let sender):
            current = MessageBuilder(sender: sender)
            current?.isComplete = !nextIsDamaged
            nextIsDamaged = false
        case .recipient(let recipient): pendingRecipient = recipient
        case .header(let field):
            ensureMessage()
            current?.addHeader(field, leadingSpace: leadingSpace)
        case .body(let chunk):
            ensureMessage()
            current?.body.writeImmutableBuffer(chunk)
        case .endOfMessage(let chunk):
            ensureMessage()
            current?.body.writeImmutableBuffer(chunk)
            if let current { finished.append(current) }
            current = nil
        case .abort, .quit, .quitNewConnection:
            current = nil
            nextIsDamaged = false
        default: break
        }
    }

    private mutating func handle(_ reply: MilterReply) {
        switch reply {
        case .optionNegotiation(let answer):
            let flag = MilterProtocolFlags.headerLeadingSpace
            leadingSpace = answer.protocolFlags.contains(flag) && (offer?.protocolFlags.contains(flag) ?? false)
        case .reject, .tempfail, .discard: settleRecipient(rejected: true)
        case .replyCode(let text):
            settleRecipient(rejected: text.bytes.first == UInt8(ascii: "4") || text.bytes.first == UInt8(ascii: "5"))
        case .progress: break
        default: settleRecipient(rejected: false)
        }
    }

    private mutating func settleRecipient(rejected: Bool) {
        guard let recipient = pendingRecipient else { return }
        pendingRecipient = nil
        if !rejected { current?.recipients.append(recipient) }
    }
}

/// One message's parts as they arrive.
private struct MessageBuilder {
    let sender: EnvelopeAddress?
    var recipients: [EnvelopeAddress] = []
    var headers: [UInt8] = []
    var body = ByteBuffer()
    var isComplete = true

    init(sender: EnvelopeAddress?) { self.sender = sender }

    /// Postfix strips one space after the colon unless HDR_LEADSPC was negotiated; folds arrive as bare LF.
    mutating func addHeader(_ field: HeaderField, leadingSpace: Bool) {
        headers += field.name.bytes + [UInt8(ascii: ":")]
        if !leadingSpace { headers.append(UInt8(ascii: " ")) }
        headers += Self.crlf(field.value.bytes) + [13, 10]
    }

    func render() -> [UInt8] {
        var bytes = sender.map { Self.envelopeLine("X-Envelope-From", $0) } ?? []
        for recipient in recipients { bytes += Self.envelopeLine("X-Envelope-To", recipient) }
        if !isComplete { bytes += Array("X-Capture-Incomplete: frames were cut or missing in the capture\r\n".utf8) }
        return bytes + headers + [13, 10] + Array(body.readableBytesView)
    }

    private static func envelopeLine(_ name: String, _ address: EnvelopeAddress) -> [UInt8] {
        let parts = [address.address.bytes] + address.arguments.map(\.bytes)
        return Array("\(name): ".utf8) + Array(parts.joined(separator: [UInt8(ascii: " ")])) + [13, 10]
    }

    private static func crlf(_ value: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(value.count)
        for (index, byte) in value.enumerated() {
            if byte == 10 && (index == 0 || value[index - 1] != 13) { result.append(13) }
            result.append(byte)
        }
        return result
    }
}
