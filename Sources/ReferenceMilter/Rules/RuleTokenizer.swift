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

enum RuleTokenizer {
    static func tokens(_ line: Substring) throws(RuleParseError) -> [RuleToken] {
        try positionedTokens(line).map(\.token)
    }

    /// The tokens with the column (from 1) where each starts.
    static func positionedTokens(_ line: Substring) throws(RuleParseError) -> [(token: RuleToken, column: Int)] {
        var tokens: [(token: RuleToken, column: Int)] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            let column = line.distance(from: line.startIndex, to: index) + 1
            if character == " " || character == "\t" {
                index = line.index(after: index)
            } else if character == "#" {
                break
            } else if character == "\"" {
                let (text, next) = try quoted(line, from: line.index(after: index), column: column)
                tokens.append((.string(text), column))
                index = next
            } else if character == "," {
                tokens.append((.comma, column))
                index = line.index(after: index)
            } else if line[index...].hasPrefix("=>") {
                tokens.append((.arrow, column))
                index = line.index(index, offsetBy: 2)
            } else {
                let end = line[index...].firstIndex { " \t\",#".contains($0) } ?? line.endIndex
                tokens.append((.word(String(line[index..<end])), column))
                index = end
            }
        }
        return tokens
    }

    private static func quoted(
        _ line: Substring, from start: Substring.Index, column: Int
    ) throws(RuleParseError) -> (String, Substring.Index) {
        var text = ""
        var index = start
        while index < line.endIndex {
            let character = line[index]
            index = line.index(after: index)
            if character == "\"" { return (text, index) }
            if character == "\\", index < line.endIndex {
                text.append(line[index] == "n" ? "\n" : line[index])
                index = line.index(after: index)
            } else {
                text.append(character)
            }
        }
        throw RuleParseError(line: 0, column: column, message: "unterminated string")
    }
}

/// A rules file could not be read; names the line.
public struct RuleParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The line, counted from 1.
    public var line: Int
    /// The column of the offending token, counted from 1 in characters, when known.
    public var column: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(line: Int, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line N, column C: message` (or `line N: message`).
    public var description: String { "line \(line)\(column.map { ", column \($0)" } ?? ""): \(message)" }
}
