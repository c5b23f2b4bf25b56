/// Message identifiers from Message-ID, In-Reply-To, References and Content-ID (RFC 5322 section 3.6.4).
public enum MessageID {
    /// The identifiers in a field value, without angle brackets, in order.
    ///
    /// `<a@example.com> (comment) <b@example.com>` gives `["a@example.com", "b@example.com"]`.
    /// A value without brackets yields its whitespace-separated words, so broken generators still
    /// produce an identifier.
    public static func parseList(_ value: ArraySlice<UInt8>) -> [String] {
        let text = stripComments(Unfolding.unfold(value))
        var ids: [String] = []
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: 0x3C) {
            let close = text[(open + 1)...].firstIndex(of: 0x3E) ?? text.endIndex
            let id = withoutSpaceOutsideQuotes(text[(open + 1)..<close])
            if !id.isEmpty { ids.append(Charsets.decodeUnlabelled(id[...])) }
            index = min(close + 1, text.endIndex)
            if index == text.endIndex { break }
        }
        if ids.isEmpty {
            ids = text.split(whereSeparator: ASCII.isWhitespace).map { Charsets.decodeUnlabelled($0) }
        }
        return ids
    }

    /// The first identifier in a field value, or nil when there is none.
    public static func parse(_ value: ArraySlice<UInt8>) -> String? { parseList(value).first }

    /// The identifier's bytes without the whitespace a broken folder put into it (`< a@b >`), except
    /// inside a quoted local part (`<"two words"@host>`, RFC 5322 obs-id-left), where it is content.
    private static func withoutSpaceOutsideQuotes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var inQuotes = false
        var escaped = false
        for byte in bytes {
            if inQuotes, escaped {
                escaped = false
            } else if inQuotes, byte == ASCII.backslash {
                escaped = true
            } else if byte == ASCII.quote {
                inQuotes.toggle()
            } else if !inQuotes, ASCII.isWhitespace(byte) {
                continue
            }
            output.append(byte)
        }
        return output
    }

    /// Removes parenthesised comments outside angle brackets and quotes.
    static func stripComments(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard bytes.contains(0x28) else { return bytes }
        var output: [UInt8] = []
        var depth = 0
        var inAngle = false
        for byte in bytes {
            if depth == 0, byte == 0x3C { inAngle = true }
            if depth == 0, byte == 0x3E { inAngle = false }
            if !inAngle, byte == 0x28 { depth += 1 }
            if depth == 0 { output.append(byte) }
            if !inAngle, byte == 0x29, depth > 0 { depth -= 1 }
        }
        return output[...]
    }
}
