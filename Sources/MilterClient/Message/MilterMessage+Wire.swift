import MailMessage
import MilterProtocol
import NIOCore

/// A message as the MTA puts it on the wire, worked out once: a replay sends the same message
/// many times, and a load run should spend its time on the milter, not on line ends.
struct MessageWireForm: Hashable, Sendable {
    /// The body with CRLF line ends.
    var body: [UInt8]
    /// The body in BODY chunks of at most ``MilterClientConnection/bodyChunkSize`` bytes: each
    /// the payload of its frame in ``bodyFrames``, sharing its storage.
    var bodyChunks: [ByteBuffer]
    /// The whole BODY frame of each chunk, encoded once: a step copies it instead of encoding.
    var bodyFrames: [ByteBuffer]
    /// The HEADER payloads, one leading space removed (no SMFIP_HDR_LEADSPC).
    var headers: [HeaderField]
    /// The whole HEADER frame of each of ``headers``, encoded once; `nil` for one that cannot be
    /// encoded (the step encodes it, and refuses it with the error).
    var headerFrames: [ByteBuffer?]
    /// The value of the first `Message-ID` field, trimmed (``MilterMessage/messageID``): every
    /// transaction's `{msg_id}`.
    var messageID: String?
    /// A hash of the header fields and the body, worked out once: a store of exchanges finds a
    /// message's record by it (``MilterMessage/lookupHash``) without hashing the content each time.
    var contentHash: Int

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
