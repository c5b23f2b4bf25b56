import MailMessage
import Testing

/// Every file in `fixtures/fuzz/mailmessage/` (the fuzzer's seeds, and any input that once made it
/// fail, kept as `regression-*`) goes through everything the fuzzer exercises.
struct FuzzRegressionTests {
    @Test(arguments: Corpus.files(in: Corpus.fuzzDirectory))
    func survives(_ name: String) {
        let bytes = Corpus.bytes(name, in: Corpus.fuzzDirectory)
        #expect(!bytes.isEmpty)
        let raw = RawMessage(parsing: bytes)
        for field in raw.headerFields {
            _ = (field.decodedValue, AddressList(parsing: field.valueBytes[...]).mailboxes)
            _ = (ReceivedHeader(parsing: field.valueBytes[...]), ContentType(parsing: field.valueBytes[...]))
            _ = MailDate(parsing: field.unfoldedValue)?.secondsSince1970
        }
        let limits = ParseLimits(maxDepth: 8, maxParts: 64, maxHeaderFields: 64, maxHeaderBytes: 4096)
        for message in [MIMEMessage(parsing: bytes), MIMEMessage(parsing: bytes, limits: limits)] {
            _ = (message.from, message.to, message.subject, message.date, message.firstPublicReceivedIP)
            _ = (message.textBody, message.htmlBody, message.attachments.map(\.size))
            #expect(message.partCount >= 1)
            #expect(message.allParts.count <= message.partCount)
        }
        _ = HTMLText.render(String(decoding: bytes, as: UTF8.self))
    }
}
