/// Reads `keyword value (comment)` clauses of a Received field.
struct ReceivedClauseReader {
    private static let keywords: Set<String> = ["from", "by", "via", "with", "id", "for"]

    /// The first word after each keyword.
    private(set) var values: [String: String] = [:]
    /// The comments after each keyword's value, joined with spaces.
    private(set) var comments: [String: String] = [:]

    private var clause: String?
    private var expectingValue = false

    mutating func read(_ text: String) {
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "(" {
                let end = Self.commentEnd(text, from: index)
                let inner = text[text.index(after: index)..<end]
                addComment(String(inner.hasSuffix(")") ? inner.dropLast() : inner))
                index = end
            } else if character.isWhitespace {
                index = text.index(after: index)
            } else {
                var end = index
                while end < text.endIndex, !text[end].isWhitespace, text[end] != "(" { end = text.index(after: end) }
                addWord(String(text[index..<end]))
                index = end
            }
        }
    }

    private mutating func addWord(_ word: String) {
        if expectingValue, let clause {
            values[clause] = word
            expectingValue = false
            return
        }
        let lowered = word.lowercased()
        if Self.keywords.contains(lowered), values[lowered] == nil {
            clause = lowered
            expectingValue = true
        }
    }

    private mutating func addComment(_ comment: String) {
        guard let clause else { return }
        let trimmed = comment.trimmedWhitespace
        guard !trimmed.isEmpty else { return }
        comments[clause] = comments[clause].map { $0 + " " + trimmed } ?? trimmed
    }

    /// The index just past the comment starting at `start` (nested parentheses balanced).
    private static func commentEnd(_ text: String, from start: String.Index) -> String.Index {
        var depth = 0
        var index = start
        while index < text.endIndex {
            if text[index] == "(" { depth += 1 }
            if text[index] == ")" {
                depth -= 1
                if depth == 0 { return text.index(after: index) }
            }
            index = text.index(after: index)
        }
        return index
    }
}
