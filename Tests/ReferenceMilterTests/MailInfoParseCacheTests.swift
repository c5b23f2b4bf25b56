import MailMessage
import Testing

@testable import ReferenceMilter

/// The parsed message is kept between reads, and a change to the header fields or the body (of
/// this copy or of another) never hands out a parse of other content.
@Suite struct MailInfoParseCacheTests {
    private static func mail(subject: String, body: String = "body\r\n") -> MailInfo {
        MailInfo(headerFields: [.init(name: "Subject", value: " " + subject)], body: Array(body.utf8))
    }

    @Test func aChangeInPlaceDropsTheParseKept() {
        var mail = Self.mail(subject: "first")
        #expect(mail.message.subject == "first")
        mail.headerFields = [.init(name: "Subject", value: " second")]
        #expect(mail.message.subject == "second")
        mail.body = Array("other body\r\n".utf8)
        #expect(mail.message.subject == "second")
        #expect(mail.message.textBody.contains("other body"))
    }

    @Test func copiesKeepTheirOwnParse() {
        let original = Self.mail(subject: "original")
        var changed = original
        changed.headerFields = [.init(name: "Subject", value: " changed")]
        // Parsed in this order, each copy still gets its own content.
        #expect(changed.message.subject == "changed")
        #expect(original.message.subject == "original")
        var copy = original
        copy.body = Array("new\r\n".utf8)
        #expect(copy.message.textBody.contains("new"))
        #expect(original.message.textBody.contains("body"))
        #expect(original.message.subject == "original")
    }

    @Test func aCopyMadeAfterParsingSharesItUntilItChanges() {
        let parsed = Self.mail(subject: "kept")
        #expect(parsed.message.subject == "kept")
        var copy = parsed
        #expect(copy.message.subject == "kept")
        copy.headerFields = [.init(name: "Subject", value: " new")]
        #expect(copy.message.subject == "new")
        #expect(parsed.message.subject == "kept")
    }
}
