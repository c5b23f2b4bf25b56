import MilterProtocol
import _MilterAddress

/// Reads one action of a rule: a verdict, a modification, or `reason`.
enum RuleActions {
    static func read(into rule: inout Rule, from reader: inout TokenReader) throws(RuleParseError) {
        let word = try reader.text("an action")
        if let verdict = try verdict(word, &reader) {
            guard rule.verdict == nil else { throw RuleParseError(line: 0, message: "a rule has one verdict") }
            rule.verdict = verdict
        } else if word == "reason" {
            rule.reason = try reader.text("a reason")
        } else {
            rule.modifications.append(try modification(word, &reader))
        }
    }

    private static func verdict(_ word: String, _ reader: inout TokenReader) throws(RuleParseError) -> Verdict? {
        switch word {
        case "accept": return .accept
        case "discard": return .discard
        case "quarantine": return .quarantine(try oneLine(reader.text("a quarantine reason"), "a quarantine reason"))
        case "reject":
            return .reject(try reader.optionalString().map { (text) throws(RuleParseError) in try reply(text, 5) })
        case "tempfail":
            return .tempfail(try reader.optionalString().map { (text) throws(RuleParseError) in try reply(text, 4) })
        default: return nil
        }
    }

    private static func modification(
        _ word: String, _ reader: inout TokenReader
    ) throws(RuleParseError) -> Modification {
        switch word {
        case "add-header":
            return .addHeader(name: try reader.headerName(), value: try headerValue(&reader))
        case "insert-header":
            guard let index = try reader.optionalNumber("the index", in: 0...maximumIndex) else {
                throw RuleParseError(line: 0, message: "expected an index")
            }
            return .insertHeader(index: index, name: try reader.headerName(), value: try headerValue(&reader))
        case "change-header":
            let name = try reader.headerName()
            let value = try headerValue(&reader)
            return .changeHeader(name: name, occurrence: try occurrence(&reader), value: value)
        case "delete-header":
            return .deleteHeader(name: try reader.headerName(), occurrence: try occurrence(&reader))
        case "add-recipient":
            return .addRecipient(
                try address(&reader, allowingNull: false), arguments: try reader.optionalString().map(oneLineArguments))
        case "delete-recipient":
            return .deleteRecipient(try address(&reader, allowingNull: false))
        case "change-sender":
            return .changeSender(
                try address(&reader, allowingNull: true), arguments: try reader.optionalString().map(oneLineArguments))
        case "replace-body":
            let text = try reader.text("the new body").replacing("\n", with: "\r\n")
            return .replaceBody(Array(text.utf8))
        default:
            throw RuleParseError(line: 0, message: "unknown action '\(word)'")
        }
    }

    /// A header value: a line break in it must be a fold, followed by a space or a tab (libmilter's
    /// `smfi_addheader` asks the same), and its last line cannot be blank; a bare one would start a
    /// broken header line at the MTA. The protocol's check (``MilterReply/isFolded(_:)``), made when
    /// the file is read rather than when the header is sent.
    private static func headerValue(_ reader: inout TokenReader) throws(RuleParseError) -> String {
        let value = try reader.text("a value")
        guard MilterReply.isFolded(Array(value.utf8)) else {
            throw RuleParseError(
                line: 0,
                message:
                    "a line break in a header value must be followed by a space or a tab (a fold), and its last line cannot be blank"
            )
        }
        return value
    }

    /// An envelope address: one line, and one address an MTA could send in MAIL or RCPT, checked as milter-replay's
    /// `--from` and `--rcpt` are (``EnvelopeAddressSyntax``): `"<a b@c>"` would reach the MTA as a broken command.
    /// Empty (`<>`) only for the sender. The error does not repeat the address.
    private static func address(_ reader: inout TokenReader, allowingNull: Bool) throws(RuleParseError) -> String {
        let text = try oneLine(reader.text("an address"), "an address")
        guard EnvelopeAddressSyntax.isEnvelopeAddress(text, allowingNull: allowingNull) else {
            throw RuleParseError(
                line: 0,
                message: "not one envelope address (bare or in angle brackets, no white space outside quotes, "
                    + "no display name\(allowingNull ? "" : ", not empty"))")
        }
        return text
    }

    private static func oneLineArguments(_ text: String) throws(RuleParseError) -> String {
        try oneLine(text, "ESMTP arguments")
    }

    /// `text`, refused if it holds a line break or another control character.
    private static func oneLine(_ text: String, _ what: String) throws(RuleParseError) -> String {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw RuleParseError(line: 0, message: "\(what) cannot hold a line break or a control character")
        }
        return text
    }

    /// The largest header index or occurrence: the protocol carries it as a 32-bit unsigned number.
    private static let maximumIndex = Int(UInt32.max)

    /// The optional occurrence of `change-header` and `delete-header`, counted from 1.
    private static func occurrence(_ reader: inout TokenReader) throws(RuleParseError) -> Int {
        try reader.optionalNumber("the occurrence", in: 1...maximumIndex) ?? 1
    }

    /// Reads `"ddd x.y.z text"` or `"ddd text"`; the code and enhanced code must agree, and the code must be of
    /// the verdict's class (`5`xx for reject, `4`xx for tempfail): a milter's reply code decides the outcome, so
    /// `tempfail "550 …"` would reject.
    static func reply(_ text: String, _ verdictClass: Int) throws(RuleParseError) -> ReplyCode {
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard let first = words.first, first.count == 3, let code = Int(first) else {
            throw RuleParseError(line: 0, message: "a reply starts with a 3-digit code: \"550 5.7.1 text\"")
        }
        guard code / 100 == verdictClass else {
            let (verdict, other) = verdictClass == 5 ? ("reject", "tempfail") : ("tempfail", "reject")
            throw RuleParseError(
                line: 0,
                message: "\(verdict) takes a \(verdictClass)xx reply code, not \(code) (for \(code), use \(other))")
        }
        // An enhanced status code is `class.subject.detail` in digits (RFC 3463), not any word with a dot.
        let hasEnhanced = words.count > 1 && isEnhancedCode(words[1])
        let enhanced = hasEnhanced ? words[1] : nil
        let rest = words.dropFirst(hasEnhanced ? 2 : 1).joined(separator: " ")
        do {
            return try ReplyCode(code: code, enhancedCode: enhanced, text: rest.isEmpty ? "Refused" : rest)
        } catch {
            throw RuleParseError(line: 0, message: "invalid reply: \(error.detail ?? "\(error.code)")")
        }
    }

    /// Whether `word` has the shape of an enhanced status code: three dot-separated runs of digits.
    private static func isEnhancedCode(_ word: String) -> Bool {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { ("0"..."9").contains($0) } }
    }
}
