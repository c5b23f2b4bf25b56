/// The `value; name=value; ...` syntax of Content-Type and Content-Disposition (RFC 2045 section 5.1),
/// with RFC 2231 continuations (`name*0=`, `name*1*=`) and charsets (`name*=utf-8''%E2%82%AC`).
///
/// Lenient: unquoted values may hold spaces, missing semicolons after quoted values are tolerated,
/// and RFC 2047 encoded words inside values (common in filenames) are decoded.
enum MIMEParameters {
    /// The leading value (like `text/plain`), lowercased and trimmed, and the parameters with lowercased names.
    static func parse(_ value: ArraySlice<UInt8>) -> (value: String, parameters: [String: String]) {
        let text = Unfolding.unfold(value)
        var index = text.startIndex
        while index < text.endIndex, text[index] != 0x3B { index += 1 }
        let leading = ASCII.lowercased(ASCII.trimmed(MessageID.stripComments(text[text.startIndex..<index])))
        var raw: [(name: String, value: [UInt8])] = []
        while index < text.endIndex, raw.count < 256 {
            guard let (pair, next) = readParameter(text, from: index) else { break }
            if let pair { raw.append(pair) }
            index = next
        }
        return (leading, RFC2231.combine(raw))
    }

    /// Reads one `name=value` after skipping separators; nil when the input is exhausted.
    private static func readParameter(
        _ text: ArraySlice<UInt8>, from start: Int
    ) -> (((name: String, value: [UInt8]))?, Int)? {
        var index = start
        // Separators, and comments between parameters (`x="1" (comment) y=2`): a comment is no part of a name.
        while index < text.endIndex, text[index] == 0x3B || text[index] == 0x28 || ASCII.isWhitespace(text[index]) {
            index = text[index] == 0x28 ? commentEnd(text, from: index) : index + 1
        }
        guard index < text.endIndex else { return nil }
        let nameStart = index
        while index < text.endIndex, text[index] != ASCII.equals, text[index] != 0x3B { index += 1 }
        let name = ASCII.lowercased(ASCII.trimmed(text[nameStart..<index]))
        guard index < text.endIndex, text[index] == ASCII.equals else { return (nil, index) }
        index += 1
        // White space and comments may come before the value too (`charset=(comment)utf-8`).
        while index < text.endIndex, ASCII.isWSP(text[index]) || text[index] == 0x28 {
            index = text[index] == 0x28 ? commentEnd(text, from: index) : index + 1
        }
        let (value, next) = readValue(text, from: index)
        return (name.isEmpty ? nil : (name, value), next)
    }

    /// The index after the comment that opens at `start` (nested parentheses and quoted pairs allowed), or
    /// the end of the text when it never closes.
    private static func commentEnd(_ text: ArraySlice<UInt8>, from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < text.endIndex {
            switch text[index] {
            case ASCII.backslash: index += 1
            case 0x28: depth += 1
            case 0x29:
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return text.endIndex
    }

    private static func readValue(_ text: ArraySlice<UInt8>, from start: Int) -> ([UInt8], Int) {
        guard start < text.endIndex, text[start] == ASCII.quote else {
            // An unquoted value ends at `;`; a comment after it (`boundary=abc (comment)`, RFC 2045
            // section 5.1 allows comments there) is not part of it. Spaces inside are kept, for
            // senders that do not quote `name=my file.pdf`.
            var end = start
            var valueEnd: Int?
            while end < text.endIndex, text[end] != 0x3B {
                if text[end] == 0x28, valueEnd == nil { valueEnd = end }
                end += 1
            }
            return (Array(ASCII.trimmed(text[start..<(valueEnd ?? end)])), end)
        }
        var value: [UInt8] = []
        var index = start + 1
        while index < text.endIndex, text[index] != ASCII.quote {
            if text[index] == ASCII.backslash, index + 1 < text.endIndex { index += 1 }
            value.append(text[index])
            index += 1
        }
        return (value, min(index + 1, text.endIndex))
    }
}
