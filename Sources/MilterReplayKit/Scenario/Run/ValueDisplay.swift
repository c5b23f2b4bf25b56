import MilterProtocol

/// How values from the milter or the message appear in a failure: shape-redacted by default
/// (`<xxxxx@xxxxxxx.xxx>`), as every error of the project is; in full with `--show-values`.
struct ValueDisplay: Sendable {
    /// Whether values are shown as they are.
    let showsValues: Bool
    /// Whether the expected values are redacted too, unless shown: a manifest's, in reports that leave the
    /// machine (a scenario's are its author's own, shown in full).
    var redactsExpected = false

    /// The longest value shown in full.
    static let longest = 200

    /// An expected text in words (`'yes'`, `matching /^y/`, `containing 'y'`), its text shape-redacted when
    /// ``redactsExpected`` and values are not shown.
    func expected(_ match: TextMatch) -> String {
        guard redactsExpected, !showsValues else { return match.description }
        switch match {
        case .exact(let text): return quoted(text)
        case .matches(let pattern): return "matching /\(Redaction.excerpt(Array(pattern.utf8)))/"
        case .contains(let text): return "containing \(quoted(text))"
        }
    }

    /// `'value'`, redacted unless values are shown.
    func quoted(_ text: String) -> String {
        guard showsValues else { return "'\(Redaction.excerpt(Array(text.utf8)))'" }
        let shown = text.count > Self.longest ? String(text.prefix(Self.longest)) + "…(\(text.utf8.count) bytes)" : text
        return "'\(shown)'"
    }
}

/// An SMTP reply split into its parts: `550 5.7.1 text`; the text of a multi-line reply joined by line breaks.
struct SMTPReplyParts: Hashable {
    var code: Int?
    var enhancedCode: String?
    var text: String

    init(_ reply: String) {
        let lines = reply.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init)
        var texts: [String] = []
        for (index, line) in lines.enumerated() {
            var rest = Substring(line)
            let digits = rest.prefix(3)
            if digits.count == 3, digits.allSatisfy(\.isNumber) {
                if index == 0 { code = Int(digits) }
                rest = rest.dropFirst(3)
                if rest.first == " " || rest.first == "-" { rest = rest.dropFirst() }
            }
            let word = rest.prefix { $0 != " " }
            let parts = word.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
                if index == 0 { enhancedCode = String(word) }
                rest = rest.dropFirst(word.count)
                if rest.first == " " { rest = rest.dropFirst() }
            }
            texts.append(String(rest))
        }
        text = texts.joined(separator: "\n")
    }
}

extension String {
    /// The text without leading spaces and tabs: a header value as a milter may send it.
    var droppingLeadingBlanks: String { String(drop { $0 == " " || $0 == "\t" }) }
}
