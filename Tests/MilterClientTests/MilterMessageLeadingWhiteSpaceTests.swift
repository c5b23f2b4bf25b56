import MailMessage
import MilterClient
import MilterProtocol
import Testing

/// `MilterMessage(sender:recipients:content:)` sends a message whose first line starts with white space as Postfix
/// and Sendmail do: no header fields, all of it as body. Before, the lines set aside by `RawMessage` were lost and
/// the fields after them went as HEADER frames.
@Suite struct MilterMessageLeadingWhiteSpaceTests {
    static let sender = EnvelopeAddress(mailbox: "a@example.org")
    static let recipients = [EnvelopeAddress(mailbox: "b@example.org")]

    @Test func aFirstLineWithWhiteSpaceMakesItAllBody() {
        let text = " nothing to continue\r\nSubject: s\r\n\r\nbody\r\n"
        let message = MilterMessage(
            sender: Self.sender, recipients: Self.recipients, content: RawMessage(parsing: Array(text.utf8)))
        #expect(message.headerFields.isEmpty)
        #expect(message.body == Array(text.utf8))
    }

    @Test func anOrdinaryMessageKeepsItsFields() {
        let text = "Subject: s\r\n\tfolded\r\n\r\nbody\r\n"
        let message = MilterMessage(
            sender: Self.sender, recipients: Self.recipients, content: RawMessage(parsing: Array(text.utf8)))
        #expect(message.headerFields.map(\.name) == ["Subject"])
        #expect(message.body == Array("body\r\n".utf8))
    }
}
