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

    @Test func theNullSenderAndAPlainAddress() {
        #expect(EnvelopeEntry(rawAddress: "<>").address == "")
        #expect(EnvelopeEntry(rawAddress: " <sender@example.com>").address == "sender@example.com")
    }
}
