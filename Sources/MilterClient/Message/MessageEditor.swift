import MailMessage
import MilterProtocol

/// Applies a milter's modifications the way Postfix's cleanup server does (PROTOCOL.md §E).
///
/// The MTA's own Received header heads the message and is hidden from the milter: CHGHEADER
/// indexes skip it (they count headers as the milter saw them), INSHEADER indexes count it
/// (index 0 inserts above it). A CHGHEADER for a header that does not exist appends one; with an
/// empty value it deletes. Without SMFIP_HDR_LEADSPC one space is put after the colon.
struct MessageEditor {
    private struct Header {
        var field: RawHeaderField
        var hidden: Bool
    }

    private var headers: [Header]
    private var sender: String
    private var senderArguments: String?
    private var recipients: [String]
    private var body: [UInt8]
    private var replacementBody: [UInt8]?
    private let separator: [UInt8]

    /// Starts from the message as sent to the milter.
    init(
        ownReceived: RawHeaderField?, headerFields: [RawHeaderField], sender: String, recipients: [String],
        body: [UInt8], headerLeadingSpace: Bool
    ) {
        headers =
            (ownReceived.map { [Header(field: $0, hidden: true)] } ?? [])
            + headerFields.map { Header(field: $0, hidden: false) }
        self.sender = sender
        self.recipients = recipients
        self.body = body
        separator = headerLeadingSpace ? [] : [HeaderText.space]
    }

    /// Applies one modification; other replies are ignored.
    mutating func apply(_ reply: MilterReply) {
        switch reply {
        case .addHeader(let field): headers.append(Header(field: make(field), hidden: false))
        case .insertHeader(let indexed):
            headers.insert(
                Header(field: make(indexed.field), hidden: false), at: min(Int(indexed.index), headers.count))
        case .changeHeader(let indexed): change(indexed)
        case .addRecipient(let rcpt): recipients.append(rcpt.string)
        case .addRecipientWithArguments(let change): recipients.append(change.address.string)
        case .deleteRecipient(let rcpt):
            let target = rcpt.string.unbracketed.lowercased()
            recipients.removeAll { $0.unbracketed.lowercased() == target }
        case .changeSender(let change):
            sender = change.address.string
            senderArguments = change.arguments?.string
        case .replaceBody(let chunk):
            // In place: a million chunks must not copy the body a million times.
            if replacementBody == nil { replacementBody = [] }
            chunk.withUnsafeReadableBytes { replacementBody!.append(contentsOf: $0) }
        default: break
        }
    }

    /// The message as it stands.
    var result: ResultingMessage {
        ResultingMessage(
            sender: sender, senderArguments: senderArguments, recipients: recipients,
            headerFields: headers.map(\.field), body: replacementBody.map(HeaderText.crlfLines) ?? body)
    }

    private func make(_ field: HeaderField) -> RawHeaderField {
        RawHeaderField(nameBytes: field.name.bytes, valueBytes: separator + field.value.bytes)
    }

    private mutating func change(_ indexed: IndexedHeaderField) {
        var wanted = max(1, Int(indexed.index))
        let name = indexed.field.name.string
        let position = headers.indices.first { index in
            guard !headers[index].hidden, headers[index].field.hasName(name) else { return false }
            wanted -= 1
            return wanted == 0
        }
        if indexed.field.value.isEmpty {
            if let position { headers.remove(at: position) }
        } else if let position {
            headers[position].field = make(indexed.field)
        } else {
            headers.append(Header(field: make(indexed.field), hidden: false))
        }
    }
}
