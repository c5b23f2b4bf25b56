import MilterProtocol

/// Replies in words: `add header X-Name: value`, `reject`, ….
enum ReplyDescription {
    /// The reply as one line of `test`'s output. A header field reads as the MTA writes it into the
    /// message: `Name: value`, whether the session agreed on HDR_LEADSPC (`headerLeadingSpace`: the
    /// value then brings its own space) or not (the MTA puts one after the colon).
    static func describe(_ reply: MilterReply, headerLeadingSpace: Bool = false) -> String {
        // After the colon: the value's own space with HDR_LEADSPC, else the one the MTA puts there.
        let colon = headerLeadingSpace ? ":" : ": "
        func field(_ field: HeaderField) -> String { "\(field.name)\(colon)\(field.value)" }
        return switch reply {
        case .addHeader(let added): "add header \(field(added))"
        case .insertHeader(let indexed): "insert header at \(indexed.index) \(field(indexed.field))"
        case .changeHeader(let indexed) where indexed.field.value.isEmpty:
            "delete header \(indexed.field.name) #\(indexed.index)"
        case .changeHeader(let indexed):
            "change header \(indexed.field.name) #\(indexed.index)\(colon)\(indexed.field.value)"
        case .addRecipient(let address): "add recipient \(address)"
        case .addRecipientWithArguments(let change): "add recipient \(change.address) \(change.arguments?.string ?? "")"
        case .deleteRecipient(let address): "delete recipient \(address)"
        case .changeSender(let change): "change sender \(change.address) \(change.arguments?.string ?? "")"
        case .replaceBody(let bytes): "replace body (\(bytes.readableBytes) bytes)"
        case .replyCode(let text): "reply \(text)"
        default: reply.id.description.lowercased()
        }
    }
}
