import MailMessage
import MilterProtocol
import NIOCore

/// A message as the MTA puts it on the wire, worked out once: a replay sends the same message
/// many times, and a load run should spend its time on the milter, not on line ends. A class, never
/// changed after it is made: a ``MilterMessage`` is copied for every transaction of a run, and the
/// copy then retains this one object instead of each of its arrays.
final class MessageWireForm: Hashable, Sendable {
    /// The body with CRLF line ends.
    let body: [UInt8]
    /// The body in BODY chunks of at most ``MilterClientConnection/bodyChunkSize`` bytes: each
    /// the payload of its frame in ``bodyFrames``, sharing its storage.
    let bodyChunks: [ByteBuffer]
    /// The whole BODY frame of each chunk, encoded once: a step copies it instead of encoding.
    let bodyFrames: [ByteBuffer]
    /// The HEADER payloads, one leading space removed (no SMFIP_HDR_LEADSPC).
    let headers: [HeaderField]
    /// The whole HEADER frame of each of ``headers``, encoded once; `nil` for one that cannot be
    /// encoded (the step encodes it, and refuses it with the error).
    let headerFrames: [ByteBuffer?]
    /// The value of the first `Message-ID` field, trimmed (``MilterMessage/messageID``): every
    /// transaction's `{msg_id}`.
    let messageID: String?
    /// A hash of the header fields and the body, worked out once: a store of exchanges finds a
    /// message's record by it (``MilterMessage/lookupHash``) without hashing the content each time.
    let contentHash: Int

    init(headerFields: [RawHeaderField], body content: [UInt8]) {
        let crlf = HeaderText.crlfLines(content)
        let size = MilterClientConnection.bodyChunkSize
        body = crlf
        bodyFrames = stride(from: 0, to: crlf.count, by: size).map { offset in
            Self.frame(.body(ByteBuffer(bytes: crlf[offset..<min(offset + size, crlf.count)])))!
        }
        bodyChunks = bodyFrames.map {
            $0.getSlice(at: Self.frameHeaderSize, length: $0.readableBytes - Self.frameHeaderSize)!
        }
        headers = headerFields.map { Self.header($0, keepLeadingSpace: false) }
        headerFrames = headers.map { Self.frame(.header($0)) }
        messageID = headerFields.first(where: { $0.hasName("Message-ID") })?.value.trimmingASCIIWhitespace
        var hasher = Hasher()
        hasher.combine(headers)
        hasher.combine(crlf)
        contentHash = hasher.finalize()
    }

    /// Forms are equal when their content is: the form is worked out from the header fields and
    /// the body alone.
    static func == (lhs: MessageWireForm, rhs: MessageWireForm) -> Bool {
        lhs === rhs || (lhs.contentHash == rhs.contentHash && lhs.headers == rhs.headers && lhs.body == rhs.body)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(contentHash) }

    /// The length and command byte before a frame's payload.
    private static let frameHeaderSize = 5

    /// The whole frame of `command`, or `nil` if it cannot be encoded.
    private static func frame(_ command: MilterCommand) -> ByteBuffer? {
        var frame = ByteBuffer()
        do {
            try frame.writeMilterCommand(command)
        } catch {
            return nil
        }
        return frame
    }

    /// The HEADER payload for a field.
    static func header(_ field: RawHeaderField, keepLeadingSpace: Bool) -> HeaderField {
        let value = HeaderText.milterValue(field.valueBytes, keepLeadingSpace: keepLeadingSpace)
        let name = MilterString(bytes: Array(field.name.utf8).filter { $0 != 0 })
        return HeaderField(name: name, value: MilterString(bytes: value))
    }
}
