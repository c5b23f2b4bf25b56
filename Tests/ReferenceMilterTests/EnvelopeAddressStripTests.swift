import MilterProtocol
import Testing

@testable import ReferenceMilter

/// The envelope address loses its brackets byte by byte as it would character by character.
@Suite struct EnvelopeAddressStripTests {
    @Test(arguments: [
        "<a@example.com>", "a@example.com", "<>", "<", ">", "", "   <a@b>", "  ", " <>", "<<a>>", "<a@b> ",
        "<\r\n>", "\r\n<a>", "<a@b>\r\n", "<é@example.com>", " <a\u{301}>", "<\u{301}a>", "<a>\u{301}", "<日本@例え.jp>",
    ])
    func bracketsGoAsTheyDoOnCharacters(address: String) {
        #expect(EnvelopeEntry.stripBrackets(address) == EnvelopeEntry.stripBracketsAsCharacters(address))
        #expect(EnvelopeEntry(rawAddress: address).rawAddress == address)
    }

    /// A MAIL or RCPT payload's address is cut on its bytes; one that is not UTF-8 is cut as the string it is read as.
    @Test(
        arguments: [
            Array("<a@example.com>".utf8), Array(" <a@b>".utf8), Array("<>".utf8), [], Array("<é@example.com>".utf8),
            Array("<a\u{301}>".utf8), [0x3C, 0xFF, 0x3E], [0x20, 0x3C, 0x61, 0xC3, 0x3E], [0x3C, 0x61, 0x3E, 0x80],
        ] as [[UInt8]])
    func aPayloadsAddressLosesItsBracketsAsItsStringWould(bytes: [UInt8]) {
        let entry = EnvelopeEntry(EnvelopeAddress(address: MilterString(bytes: bytes)), values: MacroValues())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(entry.rawAddress == text)
        #expect(entry.address == EnvelopeEntry.stripBracketsAsCharacters(text))
        #expect(entry == EnvelopeEntry(rawAddress: text))
    }

    @Test func theNullSenderAndAPlainAddress() {
        #expect(EnvelopeEntry(rawAddress: "<>").address == "")
        #expect(EnvelopeEntry(rawAddress: " <sender@example.com>").address == "sender@example.com")
    }
}
