import MilterProtocol
import NIOCore
import Testing

/// Malformed payloads: each is refused with a code, the command byte, the frame's stream
/// offset and a redacted excerpt.
@Suite struct PayloadErrorTests {
    private func commandError(_ bytes: [UInt8]) -> MilterProtocolError? {
        capturedError { _ = try decodeCommands(bytes) }
    }

    private func replyError(_ bytes: [UInt8]) -> MilterProtocolError? {
        capturedError { _ = try decodeReplies(bytes) }
    }

    /// A frame that follows a 5-byte ABORT, so that the offset must be 5.
    private func afterAbort(_ frame: [UInt8]) -> [UInt8] { Wire.frame(1, "A") + frame }

    @Test(
        arguments: [
            ("HELO", Wire.frame(7, "H", Wire.text("client"))),
            ("MAIL", Wire.frame(20, "M", Wire.text("<alice@example.org>"))),
            ("RCPT second argument", Wire.frame(25, "R", Wire.text("<bob@example.net>\0NOTIFY"))),
            ("HEADER value", Wire.frame(14, "L", Wire.text("Subject\0Hello"))),
            ("CONNECT host", Wire.frame(5, "C", Wire.text("host"))),
            (
                "CONNECT address",
                Wire.frame(14, "C", Wire.text("host\0") + Wire.text("4") + [0, 25] + Wire.text("1.2.3"))
            ),
            ("UNKNOWN", Wire.frame(5, "U", Wire.text("HELP"))),
            ("MACRO value", Wire.frame(7, "D", Wire.text("Cj\0val"))),
        ] as [(String, [UInt8])])
    func missingNULIsRefused(_ name: String, _ frame: [UInt8]) {
        let error = commandError(afterAbort(frame))
        #expect(error?.code == .missingNUL, "\(name)")
        #expect(error?.commandByte == frame[4])
        #expect(error?.streamOffset == 5)
        #expect(error?.excerpt != nil)
    }

    @Test(
        arguments: [
            ("ADDHEADER value", Wire.frame(9, "h", Wire.text("X-A\0vvvv"))),
            ("INSHEADER name", Wire.frame(8, "i", Wire.u32(0) + Wire.text("X-A"))),
            ("CHGFROM", Wire.frame(3, "e", Wire.text("<>"))),
            ("ADDRCPT_PAR arguments", Wire.frame(8, "2", Wire.text("<a>\0A=B"))),
            ("QUARANTINE", Wire.frame(5, "q", Wire.text("spam"))),
        ] as [(String, [UInt8])])
    func missingNULInRepliesIsRefused(_ name: String, _ frame: [UInt8]) {
        let error = replyError(Wire.frame(1, "c") + frame)
        #expect(error?.code == .missingNUL, "\(name)")
        #expect(error?.commandByte == frame[4])
        #expect(error?.streamOffset == 5)
    }

    @Test(arguments: Array("abcdefghijklmnopqrstuvwxyzFGIJPSVWXYZ0123456789".utf8) + [0, 0x7F, 0xFF])
    func unknownCommandBytesAreRefused(_ byte: UInt8) {
        guard MilterCommand.ID(rawValue: byte) == nil else { return }
        let error = commandError(afterAbort([0, 0, 0, 1, byte]))
        #expect(error?.code == .unknownCommand)
        #expect(error?.commandByte == byte)
        #expect(error?.streamOffset == 5)
    }

    /// `l` is SMFIR_SETSYMLIST in mfdef.h, but symbol lists ride on the OPTNEG reply; no MTA reads `l`.
    @Test(arguments: Array("ABCDEgjklnouvwxzP1359".utf8) + [0, 0x7F, 0xFF])
    func unknownReplyBytesAreRefused(_ byte: UInt8) {
        guard MilterReply.ID(rawValue: byte) == nil else { return }
        let error = replyError(Wire.frame(1, "c") + [0, 0, 0, 1, byte])
        #expect(error?.code == .unknownReply)
        #expect(error?.commandByte == byte)
        #expect(error?.streamOffset == 5)
    }

    @Test(arguments: Array("TNAQK".utf8))
    func dataOnEmptyCommandsIsRefused(_ byte: UInt8) {
        let error = commandError(afterAbort([0, 0, 0, 2, byte, 0x78]))
        #expect(error?.code == .unexpectedPayload)
        #expect(error?.commandByte == byte)
        #expect(error?.streamOffset == 5)
    }

    @Test(arguments: Array("cartdsp4f".utf8))
    func dataOnEmptyRepliesIsRefused(_ byte: UInt8) {
        let error = replyError([0, 0, 0, 2, byte, 0x78])
        #expect(error?.code == .unexpectedPayload)
        #expect(error?.commandByte == byte)
    }

    @Test(
        arguments: [
            ("one name, no value", Wire.frame(4, "D", Wire.text("Cj\0"))),
            ("three strings", Wire.frame(8, "D", Wire.text("Cj\0v\0x\0"))),
        ] as [(String, [UInt8])])
    func oddMacroPairsAreRefused(_ name: String, _ frame: [UInt8]) {
        let error = commandError(frame)
        #expect(error?.code == .malformedPayload, "\(name)")
        #expect(error?.commandByte == UInt8(ascii: "D"))
    }

    @Test(
        arguments: [
            ("MACRO without a stage", Wire.frame(1, "D")),
            ("MAIL without an address", Wire.frame(1, "M")),
            ("CONNECT without a family", Wire.frame(6, "C", Wire.text("host\0"))),
            ("CONNECT without a port", Wire.frame(8, "C", Wire.text("host\0") + Wire.text("4") + [0])),
            (
                "CONNECT unknown family",
                Wire.frame(11, "C", Wire.text("host\0") + Wire.text("X") + [0, 25] + Wire.text("a\0"))
            ),
            ("CONNECT U with an address", Wire.frame(9, "C", Wire.text("host\0") + Wire.text("U") + Wire.text("a\0"))),
            ("OPTNEG short", Wire.frame(9, "O", Wire.u32(6) + Wire.u32(0x1FF))),
            ("OPTNEG with trailing bytes", Wire.frame(14, "O", Wire.u32(6) + Wire.u32(0x1FF) + Wire.u32(0x7F) + [0])),
            ("HEADER with a third string", Wire.frame(7, "L", Wire.text("a\0b\0c\0"))),
            ("HELO with a second string", Wire.frame(5, "H", Wire.text("a\0b\0"))),
        ] as [(String, [UInt8])])
    func malformedCommandPayloadsAreRefused(_ name: String, _ frame: [UInt8]) {
        let error = commandError(frame)
        #expect(error != nil, "\(name)")
        #expect(error?.commandByte == frame[4], "\(name)")
        #expect(error?.streamOffset == 0, "\(name)")
    }

    @Test(
        arguments: [
            ("INSHEADER without its index", Wire.frame(3, "i", [0, 0])),
            ("CHGHEADER without a value", Wire.frame(7, "m", Wire.u32(1) + Wire.text("a\0"))),
            ("CHGFROM with three strings", Wire.frame(7, "e", Wire.text("a\0b\0c\0"))),
            (
                "OPTNEG symbol list without its stage",
                Wire.frame(15, "O", Wire.u32(6) + Wire.u32(0) + Wire.u32(0) + [0, 0])
            ),
            (
                "OPTNEG symbol list without NUL",
                Wire.frame(18, "O", Wire.u32(6) + Wire.u32(0) + Wire.u32(0) + Wire.u32(1) + [0x69])
            ),
        ] as [(String, [UInt8])])
    func malformedReplyPayloadsAreRefused(_ name: String, _ frame: [UInt8]) {
        let error = replyError(frame)
        #expect(error != nil, "\(name)")
        #expect(error?.commandByte == frame[4], "\(name)")
    }
}
