/// Unfolding of header values (RFC 5322 section 2.2.3).
enum Unfolding {
    /// The value with its line ends removed (each LF, and a CR right before one: the folds) and leading and
    /// trailing spaces and tabs trimmed. A bare CR, one not followed by LF, is no line end: it stays, as it
    /// stays in the value an MTA passes a milter (Postfix passes a header value as it was received, and
    /// folds it with a bare LF).
    static func unfold(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard value.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf }) else { return ASCII.trimmed(value) }
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            index += 1
            if byte == ASCII.lf || (byte == ASCII.cr && index < value.endIndex && value[index] == ASCII.lf) { continue }
            unfolded.append(byte)
        }
        var start = unfolded.startIndex
        var end = unfolded.endIndex
        while start < end, ASCII.isWSP(unfolded[start]) { start += 1 }
        while end > start, ASCII.isWSP(unfolded[end - 1]) { end -= 1 }
        return unfolded[start..<end]
    }
}

extension RawHeaderField {
    /// The value unfolded and trimmed, still in raw bytes; a bare CR stays (see ``decodedValue``).
    public var unfoldedValueBytes: ArraySlice<UInt8> { Unfolding.unfold(valueBytes[...]) }

    /// The value unfolded and trimmed, with raw 8-bit bytes read as UTF-8 (or Windows-1252 when not UTF-8).
    /// Encoded words are left as they are.
    public var unfoldedValue: String { Charsets.decodeUnlabelled(unfoldedValueBytes) }

    /// The value unfolded, trimmed, and with RFC 2047 encoded words decoded: what a reader should see. Only
    /// line ends are removed: a bare CR (`Subject: a\rb`) is part of the value, as a milter receives it.
    public var decodedValue: String { EncodedWords.decode(unfoldedValueBytes) }
}
