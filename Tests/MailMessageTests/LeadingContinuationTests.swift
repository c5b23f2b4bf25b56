import MailMessage
import Testing

/// A message whose first lines start with white space: they continue no field, so they are set aside
/// (``RawMessage/leadingContinuationLines``) and the header section goes on, as in Python 3.11's `email`
/// parser, which records a `FirstHeaderLineIsContinuationDefect` for each and reads the fields after them.
struct LeadingContinuationTests {
    static func text(_ lines: [[UInt8]]) -> [String] { lines.map { String(decoding: $0, as: UTF8.self) } }

    @Test func fieldsAfterALeadingContinuationAreFields() {
        let input = Array("  folded: first line\r\nFrom: a@example.com\r\nSubject: after\r\n\r\nbody\r\n".utf8)
        let raw = RawMessage(parsing: input)
        #expect(raw.headerFields.map(\.name) == ["From", "Subject"])
        #expect(Self.text(raw.leadingContinuationLines) == ["  folded: first line"])
        #expect(String(decoding: raw.body, as: UTF8.self) == "body\r\n")
        #expect(raw.serialized() == input)
        let message = MIMEMessage(parsing: input)
        #expect(message.from.address == "a@example.com")
        #expect(message.subject == "after")
        #expect(message.textBody == "body\r\n")
        #expect(Self.text(message.root.leadingContinuationLines) == ["  folded: first line"])
    }

    @Test func everyLeadingLineIsSetAsideWhiteSpaceOnlyToo() {
        let raw = RawMessage(parsing: Array(" a\n b\n\t\nFrom: x\n c\n\nbody".utf8))
        #expect(Self.text(raw.leadingContinuationLines) == [" a", " b", "\t"])
        #expect(raw.headerFields.map(\.value) == [" x\n c"])
        #expect(String(decoding: raw.body, as: UTF8.self) == "body")
    }

    @Test func aLineThatIsNoFieldStillStartsTheBody() {
        // Python: MissingHeaderBodySeparatorDefect, payload "notaheader\n\nbody".
        let raw = RawMessage(parsing: Array(" only\nnotaheader\n\nbody".utf8))
        #expect(raw.headerFields.isEmpty)
        #expect(Self.text(raw.leadingContinuationLines) == [" only"])
        #expect(String(decoding: raw.body, as: UTF8.self) == "notaheader\n\nbody")
    }

    @Test func afterAnMboxFromLine() {
        let raw = RawMessage(parsing: Array("From x@y Mon Jan  1 00:00:00 2024\n  indented\nSubject: s\n\nb".utf8))
        #expect(raw.mboxFromLine.map { String(decoding: $0, as: UTF8.self) } == "From x@y Mon Jan  1 00:00:00 2024")
        #expect(Self.text(raw.leadingContinuationLines) == ["  indented"])
        #expect(raw.headerFields.map(\.name) == ["Subject"])
    }

    @Test func inAMIMEPart() {
        let input =
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n  indented\nContent-Type: text/html\n\n<p>x\n--b--\n"
        guard case .multipart(let multipart) = MIMEMessage(parsing: Array(input.utf8)).root.content else {
            Issue.record("not a multipart")
            return
        }
        let parts = multipart.parts
        #expect(parts.map(\.contentType.subtype) == ["html"])
        #expect(parts.map { Self.text($0.leadingContinuationLines) } == [["  indented"]])
    }

    @Test func keptWithinTheHeaderLimits() {
        let input = String(repeating: " x\n", count: 20) + "Subject: s\n\nbody"
        let raw = RawMessage(parsing: Array(input.utf8), limits: ParseLimits(maxHeaderFields: 5))
        #expect(raw.leadingContinuationLines.count == 5)
        #expect(raw.isTruncated)
        #expect(raw.headerFields.map(\.name) == ["Subject"])
        #expect(String(decoding: raw.body, as: UTF8.self) == "body")
    }
}
