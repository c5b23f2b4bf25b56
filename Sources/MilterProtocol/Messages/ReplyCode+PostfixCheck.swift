extension ReplyCode {
    /// The problems Postfix 3.7 finds in a REPLYCODE text, which are fewer than ``problems(in:)`` names: its
    /// `milter8_event` (the SMFIR_REPLYCODE case) reads the text as a C string and looks at its first five bytes
    /// only. The first must be `4` or `5`, the next two digits, the fourth a space or a hyphen, and a digit in
    /// the fifth must equal the first (it takes it for an enhanced code's class). Later lines, the continuation
    /// markers, line breaks, a single `%` (which it drops), the length and the number of lines go unchecked.
    /// Empty when Postfix 3.7 takes the text; Postfix 3.12-20260819 and later check every line.
    public static func postfixProblems(in text: MilterString) -> [Problem] {
        // A C string: nothing after a NUL counts.
        let b = Array(text.bytes.prefix { $0 != 0 })
        if b.isEmpty { return [.empty] }
        guard b.count >= 4, b[0...2].allSatisfy(ReplyLines.isDigit), b[3] == 0x20 || b[3] == 0x2D else {
            return [.malformedLine(line: 1)]
        }
        var problems: [Problem] = []
        if b[0] != UInt8(ascii: "4") && b[0] != UInt8(ascii: "5") { problems.append(.codeNotFailure(line: 1)) }
        if b.count > 4, ReplyLines.isDigit(b[4]), b[4] != b[0] { problems.append(.textClassMismatch(line: 1)) }
        return problems
    }

    /// Throws ``MilterProtocolError/Code/invalidReplyCode`` naming the first of ``postfixProblems(in:)``, if any.
    public static func postfixCheck(_ text: MilterString) throws(MilterProtocolError) {
        if let first = postfixProblems(in: text).first {
            throw MilterProtocolError(
                .invalidReplyCode, excerpt: Redaction.excerpt(text.bytes), detail: first.description)
        }
    }
}
