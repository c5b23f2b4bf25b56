/// Escape sequences in ISO-2022-JP text (RFC 1468, RFC 1554) that glibc's ISO-2022-JP-2 converter does not know.
///
/// iconv passes such a sequence through as text while in ASCII, and in a two-byte set reads it as characters and
/// loses step, so that the text after it decodes wrong (`ESC ( Z` in a kanji run turned the next kanji into
/// others). Python's codecs put one U+FFFD for the sequence and stay in the current set; ``Iconv`` does the same
/// with the ranges found here.
enum ISO2022Escapes {
    /// The ranges of `bytes` that are escape sequences (ESC, intermediate bytes 0x20-0x2F, a final byte
    /// 0x30-0x7E, as ISO 2022 spells them) the converter does not know; one cut short ends where it stops.
    static func unknownSequences(in bytes: ArraySlice<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = bytes.startIndex
        while let escape = bytes[index...].firstIndex(of: 0x1B) {
            var end = escape + 1
            while end < bytes.endIndex, end - escape <= 4, (0x20...0x2F).contains(bytes[end]) { end += 1 }
            if end < bytes.endIndex, (0x30...0x7E).contains(bytes[end]) { end += 1 }
            if !known.contains(Array(bytes[(escape + 1)..<end])) { ranges.append(escape..<end) }
            index = end
        }
        return ranges
    }

    /// What follows ESC in the sequences glibc converts: ASCII, JIS-Roman, JIS X 0201 katakana, JIS X 0208
    /// (1978 and 1983), JIS X 0212 (RFC 1554), GB 2312, KS C 5601, the ISO 8859-1 and -7 upper halves, and single
    /// shift 2.
    private static let known: Set<[UInt8]> = [
        Array("(B".utf8), Array("(J".utf8), Array("(I".utf8), Array("$@".utf8), Array("$B".utf8), Array("$(D".utf8),
        Array("$A".utf8), Array("$(C".utf8), Array(".A".utf8), Array(".F".utf8), Array("N".utf8),
    ]
}
