import MilterProtocol

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
/// Fields: `subject`, `header "Name"`, `sender`, `recipient` (any), `from`, `helo`, `client`.
/// Comparisons (case-insensitive): `contains`, `is`, `starts-with`, `ends-with`, `matches` (regex).
/// Verdicts: `accept`, `reject ["ddd x.y.z text"]`, `tempfail ["ddd x.y.z text"]`, `discard`,
/// `quarantine "reason"`. Modifications: `add-header N V`, `insert-header INDEX N V`,
/// `change-header N V [OCCURRENCE]`, `delete-header N [OCCURRENCE]`, `add-recipient A [ARGS]`,
/// `delete-recipient A`, `change-sender A [ARGS]`, `replace-body TEXT`. `reason "text"` sets the log reason.
public enum RuleParser {
    /// Parses a whole file.
    public static func parse(_ text: String) throws(RuleParseError) -> [Rule] {
        var rules: [Rule] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let positioned: [(token: RuleToken, column: Int)]
            do {
                positioned = try RuleTokenizer.positionedTokens(line)
            } catch {
                throw RuleParseError(line: number + 1, column: error.column, message: error.message)
            }
            guard !positioned.isEmpty else { continue }
            var reader = TokenReader(tokens: positioned.map(\.token))
            do {
                rules.append(try reader.rule(defaultReason: "rule at line \(number + 1)"))
            } catch {
                // The token the reader stopped at, or the end of the line.
                let column =
                    reader.lastPosition < positioned.count ? positioned[reader.lastPosition].column : line.count + 1
                throw RuleParseError(line: number + 1, column: column, message: error.message)
            }
        }
        return rules
    }
}

struct TokenReader {
    private let tokens: [RuleToken]
    private var position = 0

    init(tokens: [RuleToken]) { self.tokens = tokens }

    /// The index of the last token taken, which is the offending one when a rule is refused.
    var lastPosition: Int { max(0, position - 1) }

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

    mutating func optionalNumber() -> Int? {
        guard let text = peek?.text, let number = Int(text) else { return nil }
        position += 1
        return number
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

    private mutating func condition() throws(RuleParseError) -> Rule.Condition {
        var word = try text("a field")
        let negated = word == "not"
        if negated { word = try text("a field") }
        let field: Rule.Field
        switch word {
        case "subject": field = .subject
        case "header": field = .header(try text("a header name"))
        case "sender": field = .sender
        case "recipient": field = .recipient
        case "from": field = .from
        case "helo": field = .helo
        case "client": field = .client
        default: throw RuleParseError(line: 0, message: "unknown field '\(word)'")
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
        case "matches": match = .matches(value)
        default: throw RuleParseError(line: 0, message: "unknown comparison '\(comparison)'")
        }
        return Rule.Condition(field: field, match: match, negated: negated)
    }
}
