import NIOCore

/// One connection of the NIO null milter: cuts frames and answers, nothing else. OPTNEG gets
/// version 6, no actions, and (with `noReplies`) the no-reply flag of every stage the MTA offers;
/// end of message gets ACCEPT; MACRO, ABORT and QUIT_NC get nothing; QUIT closes; every other
/// command gets CONTINUE unless its stage's no-reply flag was negotiated. The replies to the frames
/// of one read leave in one flush. As `interop/nullmilter/nullmilter.c`, on SwiftNIO.
final class NullMilterHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Frames over 1 MiB close the connection (the length is checked before buffering).
    static let maximumFrame = 1024 * 1024
    /// SMFIP_NR_CONN, _HELO, _MAIL, _RCPT, _DATA, _UNKN, _EOH, _BODY and _HDR.
    static let noReplyEveryStage: UInt32 =
        0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000 | 0x80000 | 0x80

    private let noReplies: Bool
    /// The no-reply flags negotiated.
    private var negotiated: UInt32 = 0
    /// Bytes of a frame not complete yet; `nil` when every read so far was cut whole.
    private var leftover: ByteBuffer?
    private var pendingFlush = false
    /// CONTINUE and ACCEPT, built once: a write of them allocates no buffer.
    private let continueReply: ByteBuffer
    private let acceptReply: ByteBuffer

    init(noReplies: Bool, allocator: ByteBufferAllocator) {
        self.noReplies = noReplies
        var reply = allocator.buffer(capacity: 5)
        reply.writeInteger(UInt32(1))
        reply.writeInteger(UInt8(ascii: "c"))
        continueReply = reply
        reply = allocator.buffer(capacity: 5)
        reply.writeInteger(UInt32(1))
        reply.writeInteger(UInt8(ascii: "a"))
        acceptReply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = unwrapInboundIn(data)
        if var held = leftover {
            leftover = nil
            held.writeBuffer(&input)
            input = held
        }
        while input.readableBytes >= 5 {
            let length = Int(input.getInteger(at: input.readerIndex, as: UInt32.self)!)
            guard length > 0, length <= Self.maximumFrame else {
                context.close(promise: nil)
                return
            }
            guard input.readableBytes >= 4 + length else { break }
            input.moveReaderIndex(forwardBy: 4)
            let command = input.readInteger(as: UInt8.self)!
            var payload = input.readSlice(length: length - 1)!
            guard answer(command, payload: &payload, context: context) else {
                context.close(promise: nil)
                return
            }
        }
        if input.readableBytes > 0 { leftover = input }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Writes the command's reply, if it has one; `false` closes the connection.
    private func answer(_ command: UInt8, payload: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        switch command {
        case UInt8(ascii: "O"):
            guard payload.readableBytes >= 12,
                let offer = payload.getInteger(at: payload.readerIndex + 8, as: UInt32.self)
            else { return false }
            negotiated = noReplies ? offer & Self.noReplyEveryStage : 0
            var reply = context.channel.allocator.buffer(capacity: 17)
            reply.writeInteger(UInt32(13))
            reply.writeInteger(UInt8(ascii: "O"))
            reply.writeInteger(UInt32(6))
            reply.writeInteger(UInt32(0))
            reply.writeInteger(negotiated)
            write(reply, context: context)
        case UInt8(ascii: "Q"): return false
        case UInt8(ascii: "E"): write(acceptReply, context: context)
        default: if answers(command) { write(continueReply, context: context) }
        }
        return true
    }

    private func write(_ reply: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(reply), promise: nil)
        pendingFlush = true
    }

    /// Whether `command` is answered under the flags negotiated.
    private func answers(_ command: UInt8) -> Bool {
        switch command {
        case UInt8(ascii: "D"), UInt8(ascii: "A"), UInt8(ascii: "K"): false
        case UInt8(ascii: "C"): negotiated & 0x1000 == 0
        case UInt8(ascii: "H"): negotiated & 0x2000 == 0
        case UInt8(ascii: "M"): negotiated & 0x4000 == 0
        case UInt8(ascii: "R"): negotiated & 0x8000 == 0
        case UInt8(ascii: "T"): negotiated & 0x10000 == 0
        case UInt8(ascii: "U"): negotiated & 0x20000 == 0
        case UInt8(ascii: "N"): negotiated & 0x40000 == 0
        case UInt8(ascii: "B"): negotiated & 0x80000 == 0
        case UInt8(ascii: "L"): negotiated & 0x80 == 0
        default: true
        }
    }
}
