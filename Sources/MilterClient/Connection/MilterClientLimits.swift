import MilterProtocol

/// What the client keeps, at most, for one milter connection: a milter that sends more gets a
/// ``Finding/Kind/overLimit(_:)`` finding and the default action, and the client's memory stays bounded.
///
/// Costs are counted as memory, not wire bytes: each reply kept costs ``replyOverhead`` bytes
/// on top of its payload, so a million one-byte REPLBODY chunks cost what they take.
public struct MilterClientLimits: Hashable, Sendable {
    /// The memory counted for one reply beyond its payload: the record, the array slot.
    public static let replyOverhead = 64

    /// The most header, recipient and sender modifications in one message. Applying each costs
    /// up to a pass over the headers or recipients, so this also bounds the time to build
    /// ``TransactionResult/resultingMessage``.
    public var maximumModifications: Int
    /// The most memory the modifications of one message may cost, REPLBODY chunks included.
    public var maximumModificationBytes: Int
    /// The most memory replies may cost that arrived while nobody read them (replies between
    /// steps, or faster than the client takes them). Past it the client reads no more and closes
    /// the connection, and the replies it kept are still taken first: replies nobody asked for
    /// are then found as stray replies before the next command (`unsolicitedReply` and the like,
    /// whichever driver read how much of a flood); the limit's own finding
    /// (`tooManyUnreadReplies`) is for a step that reads on past the replies kept.
    public var maximumUnreadReplyBytes: Int
    /// The most PROGRESS replies kept in a ``StepRecord``; later ones are only counted
    /// (``StepRecord/omittedProgress``).
    public var progressRecords: Int

    /// Creates limits; the defaults let any real milter through: 10,000 modifications, 32 MiB of
    /// them, 8 MiB of unread replies, 100 PROGRESS records.
    public init(
        maximumModifications: Int = 10_000, maximumModificationBytes: Int = 32 << 20,
        maximumUnreadReplyBytes: Int = 8 << 20, progressRecords: Int = 100
    ) {
        self.maximumModifications = maximumModifications
        self.maximumModificationBytes = maximumModificationBytes
        self.maximumUnreadReplyBytes = maximumUnreadReplyBytes
        self.progressRecords = progressRecords
    }

    /// What `reply` costs kept in memory: its payload and ``replyOverhead``.
    public static func cost(of reply: MilterReply) -> Int {
        let payload: Int
        switch reply {
        case .replaceBody(let chunk): payload = chunk.readableBytes
        case .addRecipient(let text), .deleteRecipient(let text), .replyCode(let text), .quarantine(let text):
            payload = text.bytes.count
        case .addRecipientWithArguments(let change), .changeSender(let change):
            payload = change.address.bytes.count + (change.arguments?.bytes.count ?? 0)
        case .addHeader(let field): payload = field.name.bytes.count + field.value.bytes.count
        case .insertHeader(let indexed), .changeHeader(let indexed):
            payload = indexed.field.name.bytes.count + indexed.field.value.bytes.count
        case .optionNegotiation(let answer): payload = answer.symbolLists.reduce(0) { $0 + $1.macros.bytes.count }
        default: payload = 0
        }
        return payload + replyOverhead
    }
}
