// Feeds arbitrary bytes to every MailMessage parser and reads every derived value, so that a
// trap, an out-of-bounds access or a leak anywhere in parsing or decoding is found.
import FuzzDriver
import MailMessage

/// Small limits so that the fuzzer reaches the limit paths with small inputs.
let limits = ParseLimits(maxDepth: 8, maxParts: 64, maxHeaderFields: 64, maxHeaderBytes: 4096)

func exercise(_ bytes: [UInt8]) {
    var raw = RawMessage(parsing: bytes)
    _ = raw.bodyWithCRLF
    for field in raw.headerFields {
        _ = (field.name, field.decodedValue, field.unfoldedValue)
        _ = AddressList(parsing: field.valueBytes[...]).mailboxes
        _ = ReceivedHeader(parsing: field.valueBytes[...])
        _ = ContentType(parsing: field.valueBytes[...])
        _ = MailDate(parsing: field.unfoldedValue)?.secondsSince1970
        _ = MessageID.parseList(field.valueBytes[...])
    }
    raw.removeFields(named: "X-Milter-Expect")

    do {
        let message = MIMEMessage(parsing: bytes, limits: limits)
        _ = (message.from, message.to, message.cc, message.replyTo, message.subject, message.date)
        _ = (message.messageID, message.references, message.firstPublicReceivedIP)
        _ = (message.textBody, message.htmlBody)
        for attachment in message.attachments { _ = (attachment.filename, attachment.size) }
        for part in message.allParts { _ = (part.text, part.filename, part.contentID) }
        for inner in message.embeddedMessages { _ = (inner.subject, inner.textBody) }
    }
    _ = HTMLText.render(String(decoding: bytes, as: UTF8.self))
    _ = QuotedPrintable.decode(bytes[...])
    _ = Base64.decode(bytes[...])
}

runFuzzer(exercise)
