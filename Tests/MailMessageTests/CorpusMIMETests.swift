import MailMessage
import Testing

struct CorpusMIMETests {
    @Test func alternative() {
        let message = Corpus.message("multipart-alternative.eml")
        #expect(message.textBody == "Plain version.")
        #expect(message.htmlBody == "<html><body><p>HTML <b>version</b>.</p></body></html>")
        #expect(message.attachments.isEmpty)
        #expect(message.partCount == 3)
    }

    @Test func htmlOnlyIsRendered() {
        let message = Corpus.message("html-only.eml")
        #expect(message.textBody == "Big Sale\nCafé & more — 50% off!\nVisit our shop")
        #expect(message.htmlBody?.contains("href=\"http://example.com/?a=1&amp;b=2\"") == true)
    }

    @Test func pdfAttachment() {
        let message = Corpus.message("attachment-pdf.eml")
        #expect(message.textBody == "Please find the invoice attached.")
        let attachments = message.attachments
        #expect(attachments.count == 1)
        #expect(attachments.first?.filename == "invoice.pdf")
        #expect(attachments.first?.mediaType == "application/pdf")
        #expect(attachments.first?.size == 9 + 1024 + 7)
        #expect(attachments.first?.data.prefix(8) == Array("%PDF-1.4".utf8)[...])
        #expect(attachments.first?.data[9 + 255] == 255)
    }

    @Test func rfc2231Filename() {
        let attachment = Corpus.message("rfc2231-filename.eml").attachments.first
        #expect(attachment?.filename == "€ rates for été.txt")
        #expect(attachment?.data == Array("rates".utf8))
    }

    @Test func encodedWordFilename() {
        let attachment = Corpus.message("encoded-word-filename.eml").attachments.first
        #expect(attachment?.filename == "отчет.bin")
        #expect(attachment?.data == [0, 1, 2, 3, 4])
    }

    @Test func nestedRelated() {
        let message = Corpus.message("nested-related.eml")
        #expect(message.partCount == 7)
        #expect(message.textBody == "Nested plain text.")
        #expect(message.htmlBody == "<p>Nested <img src=\"cid:logo@example.com\"> html</p>")
        let attachments = message.attachments
        #expect(attachments.map(\.mediaType) == ["image/png", "text/csv"])
        #expect(attachments.map(\.filename) == ["", "data.csv"])
        #expect(attachments.first?.contentID == "logo@example.com")
        #expect(attachments.first?.isInline == true)
        #expect(attachments.first?.size == 32)
        #expect(attachments.last?.data == Array("a,b\r\n1,2".utf8))
    }

    @Test func preambleAndEpilogue() {
        let message = Corpus.message("preamble-epilogue.eml")
        guard case .multipart(let multipart) = message.root.content else {
            Issue.record("expected multipart")
            return
        }
        #expect(String(decoding: multipart.preamble, as: UTF8.self) == "This is the preamble. MIME readers ignore it.")
        #expect(
            String(decoding: multipart.epilogue, as: UTF8.self) == "This is the epilogue.\r\nIt is ignored too.\r\n")
        #expect(multipart.isClosed)
        #expect(message.textBody == "Only part.")
    }

    @Test func boundaryPrefixOfAnother() {
        let message = Corpus.message("boundary-prefix.eml")
        #expect(message.partCount == 5)
        #expect(message.textBody == "Inner plain.")
        #expect(message.htmlBody == "<p>Inner html.</p>")
        #expect(message.attachments.map(\.filename) == ["notes.txt"])
    }

    @Test func forwardedMessage() {
        let message = Corpus.message("forwarded-rfc822.eml")
        #expect(message.textBody == "Forwarding this.")
        #expect(message.attachments.map(\.filename) == ["original.eml"])
        #expect(message.attachments.first?.mediaType == "message/rfc822")
        let inner = message.embeddedMessages
        #expect(inner.count == 1)
        #expect(inner.first?.subject == "Original message")
        #expect(inner.first?.from == Mailbox(name: "Carol", address: "carol@example.net"))
        #expect(inner.first?.textBody == "The original body.")
        #expect(message.allParts.count == 4)
    }

    @Test func digestDefaultsToMessages() {
        let message = Corpus.message("digest.eml")
        let inner = message.embeddedMessages
        #expect(inner.map(\.subject) == ["First", "Second"])
        #expect(inner.map(\.textBody) == ["First body.", "Second body."])
    }

    @Test func quotedPrintableBody() {
        let text = Corpus.message("quoted-printable.eml").textBody
        #expect(
            text
                == "This is a long line that has been wrapped with a soft line break in the middle of a word. Café costs €3. \r\nTrailing spaces are removed.\r\nEquals sign: a=b.\r\n"
        )
    }

    @Test func binaryPart() {
        let attachment = Corpus.message("binary-attachment.eml").attachments.first
        #expect(attachment?.filename == "blob.bin")
        #expect(attachment?.data == [0, 1, 2, 0xFF, 0xFE, 13, 0x80])
    }

    @Test func calendarIsAnAttachment() {
        let message = Corpus.message("calendar-invite.eml")
        #expect(message.attachments.map(\.mediaType) == ["text/calendar"])
        #expect(message.textBody == "You are invited.")
    }

    @Test func brokenBase64() {
        #expect(Corpus.message("mime/broken-base64.eml").textBody == "Hello world")
    }

    @Test func missingFinalBoundary() {
        let message = Corpus.message("mime/missing-final-boundary.eml")
        guard case .multipart(let multipart) = message.root.content else {
            Issue.record("expected multipart")
            return
        }
        #expect(!multipart.isClosed)
        #expect(multipart.parts.count == 2)
        #expect(message.attachments.first?.data == Array("Second part runs to the end\r\n".utf8))
        #expect(message.textBody == "First part.")
    }

    /// A multipart without a boundary is read as text/plain: its body was hidden (textBody "") while
    /// that of a multipart whose boundary never occurs was not.
    @Test func missingBoundaryParameter() {
        let message = Corpus.message("mime/missing-boundary-parameter.eml")
        #expect(message.root.content == .single)
        #expect(message.root.contentType.mediaType == "text/plain")
        #expect(message.headers["Content-Type"] == "multipart/mixed")
        #expect(message.attachments.isEmpty)
        #expect(message.textBody == "--whatever\r\nContent-Type: text/plain\r\n\r\ntext\r\n")
        let empty = MIMEMessage(parsing: Array("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\nhi\r\n".utf8))
        #expect(empty.textBody == "hi\r\n")
    }

    @Test func boundaryNeverUsed() {
        let message = Corpus.message("mime/boundary-never-used.eml")
        #expect(message.textBody == "Just some text where parts should be.\r\n")
    }

    @Test func badQuotedPrintable() {
        #expect(Corpus.message("mime/bad-quoted-printable.eml").textBody == "a=ZZb c=4\r\n")
    }

    @Test func noFinalNewline() {
        #expect(Corpus.message("mime/no-final-newline.eml").textBody == "Last line without newline")
    }

    @Test func encodedContainer() {
        let message = Corpus.message("mime/encoded-container.eml")
        #expect(message.textBody == "Hidden inside base64.")
    }

    @Test func nulAndBareCR() {
        let message = Corpus.message("mime/nul-and-bare-cr.eml")
        #expect(message.textBody == "before\u{0}after\rbare-cr\r\n")
    }

    @Test func garbageContentType() {
        let message = Corpus.message("mime/garbage-content-type.eml")
        #expect(message.root.contentType.mediaType == "text/plain")
        #expect(message.root.transferEncoding == .other("x-made-up"))
        #expect(message.textBody == "Body survives.\r\n")
    }

    @Test func emptyParts() {
        let message = Corpus.message("mime/empty-parts.eml")
        guard case .multipart(let multipart) = message.root.content else {
            Issue.record("expected multipart")
            return
        }
        #expect(multipart.parts.count == 3)
        #expect(message.textBody == "\n\nThird.")
    }

    @Test func tenLevels() {
        let message = Corpus.message("mime/deep-nesting-10.eml")
        #expect(message.partCount == 11)
        #expect(message.textBody == "Deepest.")
        #expect(!message.isTruncated)
    }
}
