import MailMessage
import MilterProtocol
import NIOCore

/// A message as the MTA puts it on the wire, worked out once: a replay sends the same message
/// many times, and a load run should spend its time on the milter, not on line ends.
struct MessageWireForm: Hashable, Sendable {
    /// The body with CRLF line ends.
    var body: [UInt8]
    /// The body in BODY chunks of at most ``MilterClientConnection/bodyChunkSize`` bytes.
    var bodyChunks: [ByteBuffer]
    /// The HEADER payloads, one leading space removed (no SMFIP_HDR_LEADSPC).
    var headers: [HeaderField]

    init(headerFields: [RawHeaderField], body content: [UInt8]) {
        let crlf = HeaderText.crlfLines(content)
        let size = MilterClientConnection.bodyChunkSize
        body = crlf
        bodyChunks = stride(from: 0, to: crlf.count, by: size).map { offset in
            ByteBuffer(bytes: crlf[offset..<min(offset + size, crlf.count)])
        }
        headers = headerFields.map { Self.header($0, keepLeadingSpace: false) }
    }

    /// The HEADER payload for a field.
    static func header(_ field: RawHeaderField, keepLeadingSpace: Bool) -> HeaderField {
        let value = HeaderText.milterValue(field.valueBytes, keepLeadingSpace: keepLeadingSpace)
        let name = MilterString(bytes: Array(field.name.utf8).filter { $0 != 0 })
        return HeaderField(name: name, value: MilterString(bytes: value))
    }
}
