import MailMessage
import Testing

/// Unfolding removes line ends only: a bare CR (one not followed by LF) is part of a header value, as a milter
/// receives it from Postfix. It was removed with the folds, so `Subject: a\rb` read as `ab`.
struct BareCRUnfoldingTests {
    @Test(arguments: [
        ("Subject: a\rb\r\n\r\n", "a\rb"), ("Subject: a\rb\n\n", "a\rb"),
        ("Subject: a\r\n\tb\r\n\r\n", "a\tb"), ("Subject: a\n b\n\n", "a b"),
        ("Subject: a\r\r\n b\r\n\r\n", "a\r b"), ("Subject:\r\n a\rb \r\n\r\n", "a\rb"),
        ("Subject: =?utf-8?q?caf=C3=A9?=\r\r\n\r\n", "café\r"),
    ])
    func onlyLineEndsAreRemoved(input: String, value: String) throws {
        let field = try #require(RawMessage(parsing: Array(input.utf8)).headerFields.first)
        #expect(field.decodedValue == value)
        #expect(field.unfoldedValue == value.replacing("café", with: "=?utf-8?q?caf=C3=A9?="))
    }

    @Test func theParsedMessageKeepsItToo() {
        let message = MIMEMessage(parsing: Array("Subject: a\rb\r\n\r\nbody\r\n".utf8))
        #expect(message.subject == "a\rb")
    }
}
