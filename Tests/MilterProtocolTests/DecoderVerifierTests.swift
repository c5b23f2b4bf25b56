import MilterProtocol
import NIOCore
import NIOTestUtils
import Testing

/// `ByteToMessageDecoderVerifier` re-feeds every fixture byte by byte, all at once and in between;
/// each split must yield the same messages.
@Suite struct DecoderVerifierTests {
    @Test func frameDecoderSplitsEveryCommandAndReplyFixture() throws {
        let commands = CommandFixture.all.map { ($0.bytes, [frame(of: $0.bytes)]) }
        let replies = ReplyFixture.all.map { ($0.bytes, [frame(of: $0.bytes)]) }
        let pairs = (commands + replies).map { (Wire.buffer($0.0), $0.1) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            MilterFrameDecoder(limits: .replies)
        }
    }

    @Test func commandDecoderSplitsEveryFixture() throws {
        let pairs = CommandFixture.all.map { (Wire.buffer($0.bytes), [$0.message]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { MilterCommandDecoder() }
    }

    @Test func replyDecoderSplitsEveryFixture() throws {
        let pairs = ReplyFixture.all.map { (Wire.buffer($0.bytes), [$0.message]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { MilterReplyDecoder() }
    }

    /// Several frames in one input, as Postfix writes MACRO and its command back to back.
    @Test func commandDecoderSplitsAPostfixTransaction() throws {
        let transaction = PostfixTransaction.commands
        var bytes: [UInt8] = []
        for command in transaction { bytes += try command.encodedBytes }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(Wire.buffer(bytes), transaction)]) {
            MilterCommandDecoder()
        }
    }

    /// The frame the fixture's hand-written header describes.
    private func frame(of bytes: [UInt8]) -> MilterFrame {
        MilterFrame(command: bytes[4], payload: Wire.buffer(Array(bytes[5...])))
    }
}
