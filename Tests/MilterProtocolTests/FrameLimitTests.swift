import MilterProtocol
import NIOCore
import Testing

/// Framing limits (pitfalls 18 and 19): every length is judged from the 4-byte header, before
/// any payload is buffered.
@Suite struct FrameLimitTests {
    /// Decodes `bytes` with a fresh decoder and returns the error it throws.
    private func frameError(
        _ bytes: [UInt8], limits: MilterFrameLimits = .commands, atEOF: Bool = false
    ) -> MilterProtocolError? {
        var decoder = MilterFrameDecoder(limits: limits)
        var buffer = Wire.buffer(bytes)
        do {
            while try decoder.decode(buffer: &buffer) != nil {}
            if atEOF { while try decoder.decodeLast(buffer: &buffer, seenEOF: true) != nil {} }
            return nil
        } catch {
            return error
        }
    }

    /// A peer that speaks text (here an address) is named as such, and its bytes are redacted, not shown in hex.
    @Test func aTextPeersBytesAreRedacted() throws {
        let error = try #require(frameError(Array("alice.secret@example.com\r\n".utf8)))
        let text = "\(error)"
        #expect(text.contains("they are text"), "\(text)")
        #expect(text.contains("bytes: xxxxx.xx"), "\(text)")
        #expect(!text.contains("61 6c 69"), "\(text)")
    }

    /// An SMTP greeting where a length field belongs is shown as the text it is, not masked into `999 `; what
    /// follows it is redacted, and the fifth byte is not named as a command.
    @Test func aGreetingIsShownAsTextAndTheRestRedacted() throws {
        let error = try #require(frameError(Array("220 mx.example.test ESMTP\r\n".utf8)))
        let text = "\(error)"
        #expect(error.excerpt == #""220 " then xx.x (redacted)"#, "\(text)")
        #expect(error.commandByte == nil, "\(text)")
        #expect(!text.contains("999"), "\(text)")
        #expect(text.contains("this looks like an SMTP server"), "\(text)")
    }

    @Test func lengthZeroIsRefused() {
        let error = frameError([0, 0, 0, 0])
        #expect(error?.code == .zeroLengthFrame)
        #expect(error?.streamOffset == 0)
    }

    @Test func lengthZeroAfterAFrameReportsItsOffset() {
        let error = frameError(Wire.frame(1, "A") + [0, 0, 0, 0, 0x41])
        #expect(error?.code == .zeroLengthFrame)
        #expect(error?.streamOffset == 5)
    }

    @Test(arguments: [MilterFrameLimits.commands, .replies])
    func length2To31IsRefusedFromTheHeaderAlone(_ limits: MilterFrameLimits) {
        let error = frameError([0x80, 0, 0, 0], limits: limits)
        #expect(error?.code == .frameTooLarge)
        #expect(error?.streamOffset == 0)
    }

    @Test func lengthUInt32MaxIsRefused() {
        #expect(frameError([0xFF, 0xFF, 0xFF, 0xFF], limits: .replies)?.code == .frameTooLarge)
    }

    /// A 65536-byte body chunk: refused after its 5 header bytes, before the payload arrives.
    @Test func bodyOf65536BytesIsRefusedBeforeBuffering() {
        let header: [UInt8] = [0x00, 0x01, 0x00, 0x01, UInt8(ascii: "B")]
        let error = frameError(header)
        #expect(error?.code == .frameTooLarge)
        #expect(error?.commandByte == UInt8(ascii: "B"))
        #expect(error?.streamOffset == 0)
    }

    @Test func bodyOf65535BytesIsAccepted() throws {
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 65535)
        let commands = try decodeCommands([0x00, 0x01, 0x00, 0x00, UInt8(ascii: "B")] + payload)
        #expect(commands == [.body(ByteBuffer(bytes: payload))])
    }

    @Test func aLargerLimitAcceptsMore() throws {
        let payload = [UInt8](repeating: 0x2E, count: 65536)
        let limits = MilterFrameLimits(maximumPayloadLength: 262_143)
        let commands = try decodeCommands([0x00, 0x01, 0x00, 0x01, UInt8(ascii: "B")] + payload, limits: limits)
        #expect(commands == [.body(ByteBuffer(bytes: payload))])
    }

    /// "post" written to a milter socket reads as length 1886352244 (pitfall 18).
    @Test(arguments: [MilterFrameLimits.commands, .replies])
    func smtpTextIsRefused(_ limits: MilterFrameLimits) {
        let error = frameError(Array("post /milter HTTP/1.1\r\n".utf8), limits: limits)
        #expect(error?.code == .frameTooLarge)
        #expect(error.map { String(describing: $0) }?.contains("1886352244") == true)
    }

    @Test func incompleteFrameWaitsForMoreBytes() throws {
        var decoder = MilterFrameDecoder()
        var buffer = Wire.buffer([0, 0, 0, 6, UInt8(ascii: "H"), 0x61, 0x62])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 7)
    }

    @Test(arguments: [
        [0, 0] as [UInt8], [0, 0, 0, 6], [0, 0, 0, 6, UInt8(ascii: "H"), 0x61],
    ])
    func truncatedFrameAtEOFIsReported(_ bytes: [UInt8]) {
        let error = frameError(Wire.frame(1, "A") + bytes, atEOF: true)
        #expect(error?.code == .truncatedFrame)
        #expect(error?.streamOffset == 5)
        #expect(error?.commandByte == (bytes.count > 4 ? UInt8(ascii: "H") : nil))
    }

    @Test func cleanEOFIsNotAnError() throws {
        #expect(frameError(Wire.frame(1, "A"), atEOF: true) == nil)
        var decoder = MilterFrameDecoder()
        var empty = ByteBuffer()
        #expect(try decoder.decodeLast(buffer: &empty, seenEOF: true) == nil)
    }

    @Test func streamOffsetCountsWholeFrames() throws {
        var decoder = MilterFrameDecoder()
        var buffer = Wire.buffer(Wire.frame(1, "A") + Wire.frame(6, "U", Wire.text("HELP\0")))
        _ = try decoder.decode(buffer: &buffer)
        #expect(decoder.streamOffset == 5)
        _ = try decoder.decode(buffer: &buffer)
        #expect(decoder.streamOffset == 15)
    }
}
