import MilterProtocol
import NIOCore
import Testing

@Suite struct CodecSanityTests {
    @Test func postfixOptionNegotiationBytes() throws {
        var buffer = ByteBuffer()
        try buffer.writeMilterCommand(.optionNegotiation(Negotiation.postfixOffer()))
        #expect(
            Array(buffer.readableBytesView) == [
                0, 0, 0, 13, UInt8(ascii: "O"), 0, 0, 0, 6, 0, 0, 0x01, 0xFF, 0, 0x1F, 0xFF, 0xFF,
            ])
        var decoder = MilterCommandDecoder()
        #expect(try decoder.decode(buffer: &buffer) == .optionNegotiation(Negotiation.postfixOffer()))
    }

    @Test func replyCodeBuilderDoublesPercentAndJoinsLines() throws {
        let code = try ReplyCode(code: 550, enhancedCode: "5.7.1", lines: ["100% spam", "go away"])
        #expect(code.text == "550-5.7.1 100%% spam\r\n550 5.7.1 go away")
        #expect(ReplyCode.problems(in: code.text).isEmpty)
        #expect(ReplyCode.problems(in: "550") == [.malformedLine(line: 1)])
        #expect(ReplyCode.problems(in: "550 4.7.1 no") == [.enhancedClassMismatch(line: 1)])
    }
}
