/// Builds and checks the text of a REPLYCODE (`y`) reply.
///
/// A valid text is one or more lines `ddd-x.y.z text` joined by CRLF, the last with a space
/// after the code: `550-5.7.1 first\r\n550 5.7.1 last`. The code is 4xx or 5xx; an enhanced
/// code's class equals the code's first digit; `%` is doubled because Sendmail uses the text as
/// a format string; at most 32 lines of 980 bytes. Postfix 3.12+ rejects a bare `550` (pitfall 13).
public struct ReplyCode: Hashable, Sendable {
    /// The three-digit SMTP code, 400–599.
    public let code: Int
    /// The RFC 3463 enhanced status code, such as `5.7.1`, if any.
    public let enhancedCode: String?
    /// The text lines, as given (before `%` doubling).
    public let lines: [String]

    /// The most lines libmilter accepts.
    public static let maximumLines = 32
    /// The longest line libmilter accepts, in bytes of text.
    public static let maximumLineLength = 980

    /// Creates a reply, refusing any input that would make an invalid REPLYCODE.
    public init(code: Int, enhancedCode: String? = nil, lines: [String]) throws(MilterProtocolError) {
        guard (400...599).contains(code) else { throw Self.invalid("the code must be 4xx or 5xx") }
        if let enhancedCode {
            guard EnhancedCode.isValid(enhancedCode, codeClass: code / 100) else {
                throw Self.invalid("the enhanced code must be \(code / 100).ddd.ddd, matching the code's class")
            }
        }
        guard !lines.isEmpty, lines.count <= Self.maximumLines else {
            throw Self.invalid("a reply has 1 to \(Self.maximumLines) lines")
        }
        for line in lines {
            guard !line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw Self.invalid("a line may not contain CR, LF or NUL")
            }
            guard line.replacingPercent().utf8.count <= Self.maximumLineLength else {
                throw Self.invalid("a line is limited to \(Self.maximumLineLength) bytes, each % counting twice")
            }
        }
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
        // A line without an enhanced code may still start like one ("4.7.1 ..."); the checker has the last word.
        if let problem = Self.problems(in: text).first { throw Self.invalid(problem.description) }
    }

    /// Creates a one-line reply.
    public init(code: Int, enhancedCode: String? = nil, text: String) throws(MilterProtocolError) {
        try self.init(code: code, enhancedCode: enhancedCode, lines: [text])
    }

    /// The wire text: lines joined by CRLF, `%` doubled.
    public var text: MilterString {
        let rendered = lines.enumerated().map { index, line in
            let separator = index == lines.count - 1 ? " " : "-"
            let words = [enhancedCode, line.replacingPercent()].compactMap { $0 }.filter { !$0.isEmpty }
            return String(code) + separator + words.joined(separator: " ")
        }
        return MilterString(rendered.joined(separator: "\r\n"))
    }

    /// The reply as a MilterReply.
    public var reply: MilterReply { .replyCode(text) }

    private static func invalid(_ detail: String) -> MilterProtocolError {
        MilterProtocolError(.invalidReplyCode, detail: detail)
    }
}

extension String {
    fileprivate func replacingPercent() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            out.append(character)
            if character == "%" { out.append("%") }
        }
        return out
    }
}

enum EnhancedCode {
    /// `c.sss.ddd` with a class digit, 1–3 subject digits and 1–3 detail digits.
    static func isValid(_ text: some StringProtocol, codeClass: Int) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == String(codeClass) else { return false }
        return parts.dropFirst().allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber }
        }
    }
}
