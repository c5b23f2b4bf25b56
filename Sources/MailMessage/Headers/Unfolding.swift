/// Unfolding of header values (RFC 5322 section 2.2.3).
enum Unfolding {
    /// The value with every CR and LF removed (they only occur as folding inside a field value)
    /// and leading and trailing whitespace trimmed.
    static func unfold(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let trimmed = ASCII.trimmed(value)
        guard trimmed.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf }) else { return trimmed }
        return trimmed.filter { $0 != ASCII.cr && $0 != ASCII.lf }[...]
    }
}

extension RawHeaderField {
    /// The value unfolded and trimmed, still in raw bytes.
    public var unfoldedValueBytes: ArraySlice<UInt8> { Unfolding.unfold(valueBytes[...]) }

    /// The value unfolded and trimmed, with raw 8-bit bytes read as UTF-8 (or Windows-1252 when not UTF-8).
    /// Encoded words are left as they are.
    public var unfoldedValue: String { Charsets.decodeUnlabelled(unfoldedValueBytes) }

    /// The value unfolded, trimmed, and with RFC 2047 encoded words decoded: what a reader should see.
    public var decodedValue: String { EncodedWords.decode(unfoldedValueBytes) }
}
