import MilterProtocol
import _MilterSystem

/// Reads a rules file: one rule per line, `CONDITIONS => ACTIONS`.
///
/// ```text
/// # conditions are joined with "and"; "always" matches every message
/// subject contains "[reject]" => reject "550 5.7.1 rejected by subject rule"
/// header "X-Spam-Flag" is "YES" and not sender ends-with "@example.org" => quarantine "spam"
/// recipient matches "^abuse@" => add-header "X-Abuse" "yes", accept
/// always => add-header "X-Reference-Milter" "checked", accept
/// ```
///
/// Fields: `subject`, `header "Name"`, `sender`, `recipient` (any), `from`, `helo`, `client`, `dnsbl ZONE`.
/// A bare `dnsbl ZONE` holds when the client or a foreign Received hop is listed in the zone;
/// `dnsbl zen.spamhaus.org is "xbl"` compares the listings (see ``Rule/Field/dnsbl(_:)``).
/// Comparisons (case-insensitive): `contains`, `is`, `starts-with`, `ends-with`, `matches` (regex).
/// Verdicts: `accept`, `reject ["ddd x.y.z text"]`, `tempfail ["ddd x.y.z text"]`, `discard`,
/// `quarantine "reason"`. Modifications: `add-header N V`, `insert-header INDEX N V`,
/// `change-header N V [OCCURRENCE]`, `delete-header N [OCCURRENCE]`, `add-recipient A [ARGS]`,
/// `delete-recipient A`, `change-sender A [ARGS]`, `replace-body TEXT`. `reason "text"` sets the log reason.
public enum RuleParser {
    /// Parses a whole file. A leading byte order mark (U+FEFF, which Windows editors write) is skipped;
    /// columns on line 1 count from after it, as an editor shows them.
    public static func parse(_ text: String) throws(RuleParseError) -> [Rule] {
        var rules: [Rule] = []
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        // Split on LF as a scalar: CRLF is one Character in Swift, and a file written on Windows is
        // still one rule per line (the CR is white space to the tokenizer).
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            Substring(String(String.UnicodeScalarView($0)))
        }
        for (number, line) in lines.enumerated() {
            let tokens: [PositionedToken]
            do {
                tokens = try RuleTokenizer.tokens(line)
            } catch {
                throw RuleParseError(line: number + 1, column: error.column, message: error.message)
            }
            guard !tokens.isEmpty else { continue }
            var reader = TokenReader(tokens: tokens)
            do {
                rules.append(try reader.rule(defaultReason: "rule at line \(number + 1)"))
            } catch {
                throw RuleParseError(line: number + 1, column: reader.lastColumn, message: error.message)
            }
        }
        return rules
    }
}

struct TokenReader {
    private let tokens: [RuleToken]
    private let columns: [Int]
    private var position = 0

    init(tokens: [PositionedToken]) {
        self.tokens = tokens.map(\.token)
        columns = tokens.map(\.column)
    }

    /// The column of the last token read (or of the first, before any): where an error points.
    var lastColumn: Int { columns[max(0, min(position, columns.count) - 1)] }

    private var peek: RuleToken? { position < tokens.count ? tokens[position] : nil }

    private mutating func next(_ what: String) throws(RuleParseError) -> RuleToken {
        guard let token = peek else { throw RuleParseError(line: 0, message: "expected \(what) at the end") }
        position += 1
        return token
    }

    mutating func text(_ what: String) throws(RuleParseError) -> String {
        guard let text = try next(what).text else { throw RuleParseError(line: 0, message: "expected \(what)") }
        return text
    }

    /// The next token as text if it is a string (optional arguments are always quoted).
    mutating func optionalString() -> String? {
        guard case .string(let text)? = peek else { return nil }
        position += 1
        return text
    }

    /// The next token as a number if it is written as one (digits after an optional sign); `what` must lie in
    /// `range`, since the milter protocol carries it as a 32-bit unsigned number.
    mutating func optionalNumber(_ what: String, in range: ClosedRange<Int>) throws(RuleParseError) -> Int? {
        guard let text = peek?.text else { return nil }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        position += 1
        guard let number = Int(text), range.contains(number) else {
            throw RuleParseError(
                line: 0, message: "\(what) \(text) is out of range: \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A header field name: printable US-ASCII other than `:` (RFC 5322), so no space or control character.
    mutating func headerName() throws(RuleParseError) -> String {
        let name = try text("a header name")
        guard !name.isEmpty else { throw RuleParseError(line: 0, message: "a header name cannot be empty") }
        guard HeaderField.isValidName(name.utf8) else {
            throw RuleParseError(
                line: 0,
                message: "\"\(TerminalText.escapingControls(name))\" is not a header name:"
                    + " printable US-ASCII only, without ':' or spaces")
        }
        return name
    }

    mutating func rule(defaultReason: String) throws(RuleParseError) -> Rule {
        var conditions: [Rule.Condition] = []
        if peek == .word("always") {
            position += 1
        } else {
            conditions.append(try condition())
            while peek == .word("and") {
                position += 1
                conditions.append(try condition())
            }
        }
        position += 1  // taken before the check, so that an error points at it
        guard position <= tokens.count, tokens[position - 1] == .arrow else {
            throw RuleParseError(line: 0, message: "expected 'and' or '=>'")
        }
        var rule = Rule(conditions: conditions, verdict: nil, reason: defaultReason)
        repeat {
            try RuleActions.read(into: &rule, from: &self)
        } while try comma()
        return rule
    }

    private mutating func comma() throws(RuleParseError) -> Bool {
        guard let token = peek else { return false }
        position += 1  // taken before the check, so that an error points at it
        guard token == .comma else { throw RuleParseError(line: 0, message: "expected ',' between actions") }
        return true
    }

    private mutating func zone() throws(RuleParseError) -> String {
        let zone = try text("a DNSBL zone")
        let labels = zone.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, zone.utf8.count <= 240,
            labels.allSatisfy({ (1...63).contains($0.utf8.count) && $0.allSatisfy(\.isDNSLabelCharacter) })
        else {
            throw RuleParseError(line: 0, message: "'\(DNSBLChecker.displayName(zone))' is not a DNSBL zone name")
        }
        return zone
    }

    private mutating func condition() throws(RuleParseError) -> Rule.Condition {
        var word = try text("a field")
        let negated = word == "not"
        if negated { word = try text("a field") }
        let field: Rule.Field
        switch word {
        case "subject": field = .subject
        case "header": field = .header(try headerName())
        case "sender": field = .sender
        case "recipient": field = .recipient
        case "from": field = .from
        case "helo": field = .helo
        case "client": field = .client
        case "dnsbl": field = .dnsbl(try zone())
        default: throw RuleParseError(line: 0, message: "unknown field '\(word)'")
        }
        if case .dnsbl = field, peek == nil || peek == .arrow || peek == .word("and") {
            return Rule.Condition(field: field, match: .any, negated: negated)
        }
        let comparison = try text("a comparison")
        guard ["contains", "is", "equals", "starts-with", "ends-with", "matches"].contains(comparison) else {
            throw RuleParseError(line: 0, message: "unknown comparison '\(comparison)'")  // points at the comparison
        }
        let value = try text("a value")
        let match: Rule.Match
        switch comparison {
        case "contains": match = .contains(value)
        case "is", "equals": match = .equals(value)
        case "starts-with": match = .startsWith(value)
        case "ends-with": match = .endsWith(value)
        case "matches":
            do {
                _ = try CompiledRegex(value)
            } catch {
                throw RuleParseError(line: 0, message: "bad regular expression \"\(value)\": \(error)")
            }
            match = .matches(value)
        default: throw RuleParseError(line: 0, message: "unknown comparison '\(comparison)'")
        }
        return Rule.Condition(field: field, match: match, negated: negated)
    }
}

extension Character {
    fileprivate var isDNSLabelCharacter: Bool { isASCII && (isLetter || isNumber || self == "-" || self == "_") }
}
