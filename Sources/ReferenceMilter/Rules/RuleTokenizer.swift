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
        var tokens: [RuleToken] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == " " || character == "\t" {
                index = line.index(after: index)
            } else if character == "#" {
                break
            } else if character == "\"" {
                let (text, next) = try quoted(line, from: line.index(after: index))
                tokens.append(.string(text))
                index = next
            } else if character == "," {
                tokens.append(.comma)
                index = line.index(after: index)
            } else if line[index...].hasPrefix("=>") {
                tokens.append(.arrow)
                index = line.index(index, offsetBy: 2)
            } else {
                let end = line[index...].firstIndex { " \t\",#".contains($0) } ?? line.endIndex
                tokens.append(.word(String(line[index..<end])))
                index = end
            }
        }
        return tokens
    }

    private static func quoted(
        _ line: Substring, from start: Substring.Index
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
        throw RuleParseError(line: 0, message: "unterminated string")
    }
}

/// A rules file could not be read; names the line.
public struct RuleParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The line, counted from 1.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}
