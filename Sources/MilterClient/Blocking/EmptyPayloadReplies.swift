import MilterProtocol
import NIOCore

/// The reply each reply byte makes with an empty payload, as `MilterReply(frame:)` decodes it once
/// for every byte, `nil` where that is an error: ``BlockingReplyReader`` takes a verdict (`continue`,
/// `accept`...), the reply of nearly every step, from here, without making a frame, an empty
/// `ByteBuffer` and a decode across modules (about 600 instructions a reply). Bytes whose empty
/// frame is an error, and every reply with a payload, are decoded as before, errors included.
enum EmptyPayloadReplies {
    static let table: [MilterReply?] = (0...255).map { byte in
        try? MilterReply(frame: MilterFrame(command: UInt8(byte), payload: ByteBuffer()))
    }
}
