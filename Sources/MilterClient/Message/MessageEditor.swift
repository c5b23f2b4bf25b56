import MailMessage
import MilterProtocol

/// Applies a milter's modifications the way Postfix's cleanup server does (PROTOCOL.md §E).
///
/// The MTA's own Received header heads the message and is hidden from the milter: CHGHEADER
/// indexes skip it (they count headers as the milter saw them), INSHEADER indexes count it
/// (index 0 inserts above it). A CHGHEADER for a header that does not exist appends one; with an
/// empty value it deletes. Without SMFIP_HDR_LEADSPC one space is put after the colon.
///
/// The fields are kept in ``EditedHeaders``, so N edits of a message of M fields cost about
/// O(M + N·√M), not O(M·N).
struct MessageEditor {
    private var headers: EditedHeaders
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
        headers = EditedHeaders(
            (ownReceived.map { [EditedHeaders.Entry(field: $0, key: nil)] } ?? []) + headerFields.map(Self.entry))
        self.sender = sender
        self.recipients = recipients
        self.body = body
        separator = headerLeadingSpace ? [] : [HeaderText.space]
    }

    /// Applies one modification; other replies are ignored.
    mutating func apply(_ reply: MilterReply) {
        switch reply {
        case .addHeader(let field): headers.append(Self.entry(make(field)))
        case .insertHeader(let indexed): headers.insert(Self.entry(make(indexed.field)), at: Int(indexed.index))
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
            headerFields: headers.fields, body: replacementBody.map(HeaderText.crlfLines) ?? body)
    }

    private func make(_ field: HeaderField) -> RawHeaderField {
        RawHeaderField(nameBytes: field.name.bytes, valueBytes: separator + field.value.bytes)
    }

    /// Blocks and fields visited by the header edits so far (see ``EditedHeaders/visits``).
    var headerVisits: Int { headers.visits }

    private static func entry(_ field: RawHeaderField) -> EditedHeaders.Entry {
        EditedHeaders.Entry(field: field, key: EditedHeaders.key(ofFieldName: field.nameBytes))
    }

    private mutating func change(_ indexed: IndexedHeaderField) {
        let key = EditedHeaders.key(ofWantedName: indexed.field.name.string)
        let place = headers.locate(key: key, occurrence: max(1, Int(indexed.index)))
        if indexed.field.value.isEmpty {
            if let place { headers.remove(at: place) }
        } else if let place {
            headers.replace(at: place, with: Self.entry(make(indexed.field)))
        } else {
            headers.append(Self.entry(make(indexed.field)))
        }
    }
}
