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

    /// The other value types that carry header values, addresses, filenames or bodies print sizes and
    /// names of things only: a ReceivedHeader printed its recipient and hosts, an Attachment its filename
    /// and bytes, a group its name, a multipart its preamble.
    @Test func partsAddressesAndTraceFieldsHidePersonalData() {
        let text =
            "From: a@example.com\r\nReceived: from secret-host.example (secret-host.example [192.0.2.9]) by mx "
            + "with ESMTP for <secret@example.com>; Tue, 2 Jan 2024 03:04:05 +0000\r\n"
            + "Content-Type: multipart/mixed; boundary=b\r\n\r\nsecret preamble\r\n--b\r\n"
            + "Content-Type: application/pdf; name=\"secret.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"secret.pdf\"\r\n\r\nsecret data\r\n--b--\r\n"
        let message = MIMEMessage(parsing: Array(text.utf8))
        guard case .multipart(let multipart) = message.root.content, let attachment = message.attachments.first,
            let part = multipart.parts.first, let disposition = part.contentDisposition
        else {
            Issue.record("the message did not parse as expected")
            return
        }
        let list = AddressList(parsing: "Secret Group: secret@example.com;")
        guard case .group(let group) = list.entries.first else {
            Issue.record("no group")
            return
        }
        let descriptions = [
            String(describing: message.received.first), String(describing: attachment), String(describing: multipart),
            String(describing: part.contentType), String(describing: disposition), String(describing: group),
            String(describing: list),
        ]
        for description in descriptions {
            #expect(!description.lowercased().contains("secret"), "\(description)")
            #expect(!description.contains("192.0.2.9"), "\(description)")
        }
        #expect(String(describing: attachment) == "Attachment(application/pdf, 11 bytes, filename: 10 chars)")
        #expect(String(describing: part.contentType) == "ContentType(application/pdf, parameters: [\"name\"])")
    }
}
