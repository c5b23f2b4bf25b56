import MilterProtocol
import NIOCore
import Testing

/// Commands and replies of the command byte alone are written in one go, not through the general
/// frame writer: the same five bytes, appended after what the buffer holds.
@Suite struct PayloadlessFrameTests {
    static let commands: [MilterCommand] = [.data, .endOfHeaders, .abort, .quit, .quitNewConnection]
    static let replies: [MilterReply] = [
        .continue, .accept, .reject, .tempfail, .discard, .skip, .progress, .shutdown, .connectionFailure,
    ]

    @Test(arguments: commands)
    func commandIsLengthOneAndItsByte(_ command: MilterCommand) throws {
        var buffer = ByteBuffer(bytes: [9, 9])
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(try buffer.writeMilterCommand(command) == 5)
        #expect(Array(buffer.readableBytesView) == [9, 0, 0, 0, 1, command.id.rawValue])
        buffer.moveReaderIndex(forwardBy: 1)
        var decoder = MilterCommandDecoder()
        #expect(try decoder.decode(buffer: &buffer) == command)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: replies)
    func replyIsLengthOneAndItsByte(_ reply: MilterReply) throws {
        var buffer = ByteBuffer(bytes: [9])
        #expect(try buffer.writeMilterReply(reply) == 5)
        #expect(Array(buffer.readableBytesView) == [9, 0, 0, 0, 1, reply.id.rawValue])
        buffer.moveReaderIndex(forwardBy: 1)
        var decoder = MilterReplyDecoder()
        #expect(try decoder.decode(buffer: &buffer) == reply)
        #expect(buffer.readableBytes == 0)
    }

    /// A frame with a payload still goes through the general writer, its length counted after it.
    @Test func commandWithPayloadKeepsItsLength() throws {
        var buffer = ByteBuffer()
        #expect(try buffer.writeMilterCommand(.helo("mx")) == 8)
        #expect(
            Array(buffer.readableBytesView) == [0, 0, 0, 4, UInt8(ascii: "H"), UInt8(ascii: "m"), UInt8(ascii: "x"), 0])
    }
}
