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
        // Most steps' replies (a CONTINUE) have nothing to drop or mask: the array is shared, not rebuilt.
        guard replies.contains(where: changes) else { return replies }
        return replies.filter { $0 != .progress }.map(mask)
    }

    /// Whether ``comparable(_:)`` drops or may mask `reply`.
    private func changes(_ reply: MilterReply) -> Bool {
        switch reply {
        case .progress: true
        case .addHeader, .insertHeader, .changeHeader: !ignoredHeaders.isEmpty
        case .replyCode: ignoreReplyText
        default: false
        }
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

    /// `550 5.7.1 <ignored>` from `550 5.7.1 any text`: of each line, exactly the reply code with its separator
    /// and the enhanced status code when it is well-formed (RFC 3463: class 2, 4 or 5, then two numbers of one
    /// to three digits); the rest of the line is the placeholder. A line without a reply code is all placeholder.
    package static func codes(of text: MilterString) -> MilterString {
        let lines = text.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "\n")) }
            let carriageReturn = line.last == UInt8(ascii: "\r")
            out += codes(ofLine: carriageReturn ? line.dropLast() : line)
            if carriageReturn { out.append(UInt8(ascii: "\r")) }
        }
        return MilterString(bytes: out)
    }

    private static func codes(ofLine line: ArraySlice<UInt8>) -> [UInt8] {
        let code = line.prefix(3)
        guard code.count == 3, code.allSatisfy(isDigit) else { return placeholder.bytes }
        var rest = line.dropFirst(3)
        let separator = rest.first == UInt8(ascii: "-") ? UInt8(ascii: "-") : UInt8(ascii: " ")
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
        var kept = Array(code) + [separator]
        let word = rest.prefix { $0 != UInt8(ascii: " ") }
        if isEnhancedCode(word) { kept += word + [UInt8(ascii: " ")] }
        return kept + placeholder.bytes
    }

    /// `5.7.1`: class 2, 4 or 5, a subject and a detail of one to three digits each.
    private static func isEnhancedCode(_ word: ArraySlice<UInt8>) -> Bool {
        let parts = word.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1,
            [UInt8(ascii: "2"), UInt8(ascii: "4"), UInt8(ascii: "5")]
                .contains(parts[0].first)
        else { return false }
        return parts.dropFirst().allSatisfy { (1...3).contains($0.count) && $0.allSatisfy(isDigit) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
