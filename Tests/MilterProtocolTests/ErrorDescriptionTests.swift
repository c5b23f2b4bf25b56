import MilterProtocol
import NIOCore
import Testing

/// Error descriptions name the rule, the command and the offset, and never the personal data
/// in the payload: addresses and header values are redacted.
@Suite struct ErrorDescriptionTests {
    private static let secrets = ["alice", "example", "Secret", "hunter2"]

    private func describeError(commands bytes: [UInt8]) -> String? {
        capturedError { _ = try decodeCommands(bytes) }.map { String(describing: $0) }
    }

    private func describeError(replies bytes: [UInt8]) -> String? {
        capturedError { _ = try decodeReplies(bytes) }.map { String(describing: $0) }
    }

    @Test(
        arguments: [
            ("MAIL without NUL", Wire.frame(20, "M", Wire.text("<alice@example.org>"))),
            ("HEADER value without NUL", Wire.frame(23, "L", Wire.text("Subject\0Secret hunter2"))),
            ("unknown command", Wire.frame(20, "Z", Wire.text("<alice@example.org>"))),
            ("data on EOH", Wire.frame(20, "N", Wire.text("<alice@example.org>"))),
            ("odd macro pairs", Wire.frame(22, "D", Wire.text("M{mail_addr}\0alice\0x\0"))),
            (
                "CONNECT unknown family",
                Wire.frame(26, "C", Wire.text("alice.example\0") + Wire.text("X") + [0, 25] + Wire.text("hunter2\0"))
            ),
            ("body over the limit", [0x00, 0x01, 0x00, 0x01] + Wire.text("B<alice@example.org>")),
        ] as [(String, [UInt8])])
    func commandErrorsRedactPersonalData(_ name: String, _ bytes: [UInt8]) throws {
        let text = try #require(describeError(commands: bytes), "\(name)")
        for secret in Self.secrets { #expect(!text.contains(secret), "\(name): \(text)") }
    }

    @Test(
        arguments: [
            ("QUARANTINE without NUL", Wire.frame(18, "q", Wire.text("alice@example.org"))),
            ("ADDRCPT with trailing data", Wire.frame(24, "+", Wire.text("<alice@example.org>\0abc"))),
            ("truncated at EOF", [0, 0, 0, 40] + Wire.text("+<alice@example.org>")),
        ] as [(String, [UInt8])])
    func replyErrorsRedactPersonalData(_ name: String, _ bytes: [UInt8]) throws {
        let text = try #require(describeError(replies: bytes), "\(name)")
        for secret in Self.secrets { #expect(!text.contains(secret), "\(name): \(text)") }
    }

    @Test func descriptionNamesRuleCommandAndOffset() throws {
        let text = try #require(
            describeError(commands: Wire.frame(1, "A") + Wire.frame(20, "M", Wire.text("<alice@example.org>"))))
        #expect(text.contains("missingNUL"))
        #expect(text.contains("'M'"))
        #expect(text.contains("offset 5"))
        #expect(text.contains("<xxxxx@xxxxxxx.xxx>"))
    }

    /// An oversized frame shows its header in hex, but its payload only redacted.
    @Test func oversizedFrameExcerptRedactsThePayload() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x00, 0x01] + Wire.text("M<alice@example.org>")
        let text = try #require(describeError(commands: bytes))
        #expect(text.contains("00 01 00 01 4d <xx"))
        #expect(!text.contains("61 6c"))
    }

    @Test func redactionKeepsTheShape() {
        #expect(Redaction.excerpt(Array("<Bob.99@a-b.org>\0\u{7}".utf8)) == "<xxx.99@x-x.xxx>\\0.")
        #expect(Redaction.excerpt([0xC3, 0xA9]) == "##")
        #expect(Redaction.excerpt([UInt8](repeating: 0x61, count: 40)).hasSuffix("…(40 bytes)"))
    }

    @Test func replyCodeCheckErrorIsRedacted() {
        #expect(throws: MilterProtocolError.self) { try ReplyCode.check("550 5.7.1 alice@example.org\r\n") }
        do {
            try ReplyCode.check("250 alice@example.org")
        } catch {
            #expect(error.code == .invalidReplyCode)
            #expect(!String(describing: error).contains("alice"))
        }
    }
}
