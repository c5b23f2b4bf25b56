import MilterProtocol

/// What a comparison ignores: values that change on every run (`--ignore-header`,
/// `--ignore-reply-text`) and PROGRESS, whose number depends on timing.
public struct ReplyMask: Sendable {
    /// The text that replaces a masked value.
    public static let placeholder = MilterString("<ignored>")

    /// Header names (compared case-insensitively) whose values are masked in ADDHEADER, INSHEADER and CHGHEADER.
    public let ignoredHeaders: Set<String>
    /// Whether REPLYCODE texts are reduced to their SMTP and enhanced codes.
    public let ignoreReplyText: Bool

    /// A mask of `ignoredHeaders` (any case), and of REPLYCODE texts when `ignoreReplyText`.
    public init(ignoredHeaders: [String] = [], ignoreReplyText: Bool = false) {
        self.ignoredHeaders = Set(ignoredHeaders.map { $0.lowercased() })
        self.ignoreReplyText = ignoreReplyText
    }

    /// The replies that are compared, masked: everything but PROGRESS.
    package func comparable(_ replies: [MilterReply]) -> [MilterReply] {
        replies.filter { $0 != .progress }.map(mask)
    }

    /// One reply with its ignored parts replaced by ``placeholder``.
    package func mask(_ reply: MilterReply) -> MilterReply {
        switch reply {
        case .addHeader(let field): .addHeader(mask(field))
        case .insertHeader(let indexed):
            .insertHeader(IndexedHeaderField(index: indexed.index, field: mask(indexed.field)))
        case .changeHeader(let indexed):
            .changeHeader(IndexedHeaderField(index: indexed.index, field: mask(indexed.field)))
        case .replyCode(let text) where ignoreReplyText: .replyCode(Self.codes(of: text))
        default: reply
        }
    }

    private func mask(_ field: HeaderField) -> HeaderField {
        guard ignoredHeaders.contains(field.name.string.lowercased()) else { return field }
        return HeaderField(name: field.name, value: Self.placeholder)
    }

    /// `550 5.7.1 <ignored>` from `550 5.7.1 any text`: the leading digits, dots, dashes and spaces of the first line.
    package static func codes(of text: MilterString) -> MilterString {
        let codeBytes = Set(Array("0123456789.- ".utf8))
        let prefix = text.bytes.prefix { codeBytes.contains($0) }
        let trimmed = Array(prefix).reversed().drop { $0 == UInt8(ascii: " ") }.reversed()
        return MilterString(bytes: Array(trimmed) + Array(" ".utf8) + placeholder.bytes)
    }
}
