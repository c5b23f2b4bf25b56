/// A lexical token of a structured header (RFC 5322 section 3.2).
struct AddressToken: Equatable {
    enum Kind: Equatable {
        /// An atom (RFC 6532: may hold UTF-8 bytes).
        case atom
        /// A quoted string, content unescaped, quotes removed.
        case quoted
        /// A comment, content unescaped, parentheses removed (nested ones kept).
        case comment
        /// A domain literal, brackets included.
        case domainLiteral
        /// One of `<>@,;:.` or a stray special.
        case special
    }

    var kind: Kind
    var bytes: [UInt8]
    /// Whether whitespace (or a comment) came right before this token.
    var spaceBefore: Bool

    func isSpecial(_ character: UInt8) -> Bool { kind == .special && bytes.first == character }
}

/// Splits an unfolded structured header value into tokens. Unterminated quotes, comments and
/// literals run to the end of the input rather than failing.
enum AddressTokenizer {
    static func tokenize(_ input: ArraySlice<UInt8>) -> [AddressToken] {
        var tokens: [AddressToken] = []
        var index = input.startIndex
        var space = false
        while index < input.endIndex {
            let byte = input[index]
            if ASCII.isWhitespace(byte) {
                space = true
                index += 1
                continue
            }
            let (token, next) = readToken(input, at: index, spaceBefore: space)
            tokens.append(token)
            space = token.kind == .comment
            index = next
        }
        return tokens
    }

    private static func readToken(
        _ input: ArraySlice<UInt8>, at index: Int, spaceBefore: Bool
    ) -> (AddressToken, Int) {
        switch input[index] {
        case ASCII.quote:
            let (content, next) = readDelimited(input, from: index + 1, open: 0, close: ASCII.quote)
            return (AddressToken(kind: .quoted, bytes: content, spaceBefore: spaceBefore), next)
        case 0x28:
            let (content, next) = readDelimited(input, from: index + 1, open: 0x28, close: 0x29)
            return (AddressToken(kind: .comment, bytes: content, spaceBefore: spaceBefore), next)
        case 0x5B:
            let (content, next) = readDelimited(input, from: index + 1, open: 0, close: 0x5D)
            return (
                AddressToken(kind: .domainLiteral, bytes: [0x5B] + content + [0x5D], spaceBefore: spaceBefore), next
            )
        case let byte where isSpecial(byte):
            return (AddressToken(kind: .special, bytes: [byte], spaceBefore: spaceBefore), index + 1)
        default:
            var end = index
            while end < input.endIndex, !isSpecial(input[end]), !ASCII.isWhitespace(input[end]),
                input[end] != ASCII.quote, input[end] != 0x28, input[end] != 0x5B
            {
                end += 1
            }
            return (AddressToken(kind: .atom, bytes: Array(input[index..<end]), spaceBefore: spaceBefore), end)
        }
    }

    /// Reads up to the closing delimiter, unescaping backslash pairs; `open` (if non-zero) nests.
    private static func readDelimited(
        _ input: ArraySlice<UInt8>, from start: Int, open: UInt8, close: UInt8
    ) -> ([UInt8], Int) {
        var content: [UInt8] = []
        var depth = 0
        var index = start
        while index < input.endIndex {
            let byte = input[index]
            index += 1
            if byte == ASCII.backslash, index < input.endIndex {
                content.append(input[index])
                index += 1
                continue
            }
            if byte == close {
                if depth == 0 { return (content, index) }
                depth -= 1
            } else if open != 0, byte == open {
                depth += 1
            }
            content.append(byte)
        }
        return (content, index)
    }

    /// The specials of RFC 5322 that end an atom (quote, parentheses and bracket handled separately).
    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x2E, 0x5C, 0x29, 0x5D: return true
        default: return byte < 0x20 || byte == 0x7F
        }
    }
}
