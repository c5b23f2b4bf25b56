import MailMessage
import MilterProtocol
import Testing

@testable import ReferenceMilter

/// Emptying a description in place (the session at the close and at QUIT_NC) leaves what `MailInfo()` is, and
/// neither a copy made before nor a parse kept before sees the change.
@Suite struct MailInfoRemoveAllTests {
    private static func filled() -> MailInfo {
        var macros = MacroTable()
        macros.set(stage: UInt8(ascii: "C"), ["j": "mta.example"])
        macros.set(stage: UInt8(ascii: "M"), ["i": "Q1"])
        return MailInfo(
            client: ClientInfo(hostname: "client.example", address: "192.0.2.7", port: 25, family: .inet),
            helo: "client.example", sender: EnvelopeEntry(rawAddress: "<a@example.com>"),
            recipients: [EnvelopeEntry(rawAddress: "<b@example.org>")], macros: macros,
            headerFields: [.init(name: "Subject", value: " hello")], body: Array("body\r\n".utf8),
            isBodyTruncated: true)
    }

    private static func isEmpty(_ mail: MailInfo) -> Bool {
        let empty = MailInfo()
        return mail.client == empty.client && mail.helo == empty.helo && mail.sender == empty.sender
            && mail.recipients == empty.recipients && mail.macros == empty.macros
            && mail.headerFields == empty.headerFields && mail.body == empty.body
            && mail.isBodyTruncated == empty.isBodyTruncated
    }

    @Test func removeAllLeavesAnEmptyDescription() {
        var mail = Self.filled()
        #expect(mail.message.subject == "hello")
        mail.removeAll()
        #expect(Self.isEmpty(mail))
        #expect(mail.macros.stages.isEmpty)
        #expect(mail.queueID == "-")
        // The parse kept for the old content is gone with it.
        #expect(mail.message.subject == "")
    }

    @Test func aCopyMadeBeforeKeepsItsContent() {
        var mail = Self.filled()
        let copy = mail
        #expect(copy.message.subject == "hello")
        mail.removeAll()
        #expect(Self.isEmpty(mail))
        #expect(copy.helo == "client.example")
        #expect(copy.macros["i"] == "Q1")
        #expect(copy.macros["j"] == "mta.example")
        #expect(copy.message.subject == "hello")
        #expect(mail.message.subject == "")
    }
}
