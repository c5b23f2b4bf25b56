/// A rules-file line as tokens: bare words, double-quoted strings (`\"` and `\\` escapes),
/// `=>` and `,`. A `#` outside quotes starts a comment.
enum RuleToken: Hashable {
    case word(String)
    case string(String)
    case arrow
    case comma

    /// The token's text, for words and strings.
    var text: String? {
        switch self {
        case .word(let text), .string(let text): text
        default: nil
        }
    }
}

/// A token and the column (in characters, from 1) where it starts.
struct PositionedToken: Hashable {
    let token: RuleToken
    let column: Int
}

enum RuleTokenizer {
    static func tokens(_ line: Substring) throws(RuleParseError) -> [PositionedToken] {
        var tokens: [PositionedToken] = []
        func append(_ token: RuleToken, at index: Substring.Index) {
            tokens.append(PositionedToken(token: token, column: line.distance(from: line.startIndex, to: index) + 1))
        }
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == " " || character == "\t" || character == "\r" {
                index = line.index(after: index)
            } else if character == "#" {
                break
            } else if character == "\"" {
                let (text, next) = try quoted(line, from: line.index(after: index))
                append(.string(text), at: index)
                index = next
            } else if character == "," {
                append(.comma, at: index)
                index = line.index(after: index)
            } else if line[index...].hasPrefix("=>") {
                append(.arrow, at: index)
                index = line.index(index, offsetBy: 2)
            } else {
                let end = line[index...].firstIndex { " \t\r\",#".contains($0) } ?? line.endIndex
                append(.word(String(line[index..<end])), at: index)
                index = end
            }
        }
        return tokens
    }

    /// The characters a backslash escapes in a quoted string, and what each stands for.
    private static let escapes: [Character: Character] = ["\"": "\"", "\\": "\\", "n": "\n", "t": "\t"]

    private static func quoted(
        _ line: Substring, from start: Substring.Index
    ) throws(RuleParseError) -> (String, Substring.Index) {
        var text = ""
        var index = start
        while index < line.endIndex {
            let character = line[index]
            index = line.index(after: index)
            if character == "\"" { return (text, index) }
            if character == "\\", index < line.endIndex, let escaped = Self.escapes[line[index]] {
                // Only \", \\, \n and \t are escapes; any other backslash stays, so that a regex
                // reads as written (`"^\[SPAM\]"`, `"\d{6}"`).
                text.append(escaped)
                index = line.index(after: index)
            } else {
                text.append(character)
            }
        }
        throw RuleParseError(
            line: 0, column: line.distance(from: line.startIndex, to: start), message: "unterminated string")
    }
}

/// A rules file could not be read; names the line and, when known, the column.
public struct RuleParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The line, counted from 1.
    public var line: Int
    /// The column of the offending token, in characters from 1; `nil` when not known.
    public var column: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error that names the line only.
    public init(line: Int, message: String) {
        self.init(line: line, column: nil, message: message)
    }

    /// Creates an error that names the line and column.
    public init(line: Int, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line N, column C: message`, or `line N: message`.
    public var description: String {
        column.map { "line \(line), column \($0): \(message)" } ?? "line \(line): \(message)"
    }
}
