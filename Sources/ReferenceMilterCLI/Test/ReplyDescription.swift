import MilterProtocol

/// Replies in words: `add header X-Name: value`, `reject`, ….
enum ReplyDescription {
    /// The reply as one line of `test`'s output.
    static func describe(_ reply: MilterReply) -> String {
        switch reply {
        case .addHeader(let field): "add header \(field.name): \(field.value)"
        case .insertHeader(let indexed):
            "insert header at \(indexed.index) \(indexed.field.name): \(indexed.field.value)"
        case .changeHeader(let indexed) where indexed.field.value.isEmpty:
            "delete header \(indexed.field.name) #\(indexed.index)"
        case .changeHeader(let indexed): "change header \(indexed.field.name) #\(indexed.index): \(indexed.field.value)"
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
