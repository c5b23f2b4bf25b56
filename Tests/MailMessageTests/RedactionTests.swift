import MailMessage
import Testing

struct RedactionTests {
    @Test func descriptionsHidePersonalData() {
        let bytes = Array("From: Secret Person <secret@example.com>\r\nSubject: private\r\n\r\nconfidential\r\n".utf8)
        let raw = RawMessage(parsing: bytes)
        let message = MIMEMessage(parsing: bytes)
        let descriptions = [
            raw.description, message.description, message.root.description, message.from.description,
            raw.headerFields.map(\.description).joined(),
        ]
        for text in descriptions {
            #expect(!text.contains("secret") && !text.contains("Secret") && !text.contains("private"))
            #expect(!text.contains("confidential"))
        }
        #expect(raw.description == "RawMessage(2 fields, body 14 bytes, CRLF)")
        #expect(raw.headerFields[1].description == "Subject: <8 bytes>")
    }
}
