/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values.
///
/// Whitespace between two adjacent encoded words is dropped, as RFC 2047 section 6.2 requires;
/// adjacent words in the same charset are joined before decoding, so a multibyte character split
/// across two words survives. Words embedded in text without surrounding spaces are decoded too,
/// since real mail does that. Text outside encoded words may be raw 8-bit (RFC 6532).
public enum EncodedWords {
    /// Decodes every encoded word in an unfolded header value.
    public static func decode(_ value: ArraySlice<UInt8>) -> String {
        guard containsWordStart(value) else { return Charsets.decodeUnlabelled(value) }
        var decoder = Decoder()
        decoder.run(value)
        return decoder.output
    }

    /// Decodes every encoded word in a header value given as text.
    public static func decode(_ value: String) -> String { decode(Array(value.utf8)[...]) }

    static func containsWordStart(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while let equals = bytes[index...].firstIndex(of: ASCII.equals) {
            if equals + 1 < bytes.endIndex, bytes[equals + 1] == ASCII.question { return true }
            index = equals + 1
        }
        return false
    }

    private struct Decoder {
        var output = ""
        var literal: [UInt8] = []
        var word: (charset: String, bytes: [UInt8])?
        var spaceAfterWord: [UInt8] = []

        mutating func run(_ value: ArraySlice<UInt8>) {
            var index = value.startIndex
            while index < value.endIndex {
                if value[index] == ASCII.equals, let parsed = EncodedWord.parse(value, at: index) {
                    addWord(parsed.word)
                    index = parsed.end
                    continue
                }
                addLiteral(value[index])
                index += 1
            }
            flushWord()
            output += Charsets.decodeUnlabelled(spaceAfterWord[...] + literal[...])
        }

        mutating func addWord(_ parsed: EncodedWord) {
            // Whitespace between two encoded words is not part of the text.
            spaceAfterWord.removeAll()
            if !literal.isEmpty {
                output += Charsets.decodeUnlabelled(literal[...])
                literal.removeAll()
            }
            // Charset names are case-insensitive (RFC 2047 section 2): UTF-8 and utf-8 are one.
            if let current = word, current.charset.lowercased() == parsed.charset.lowercased() {
                word?.bytes += parsed.bytes
            } else {
                flushWord()
                word = (parsed.charset, parsed.bytes)
            }
        }

        mutating func addLiteral(_ byte: UInt8) {
            if word != nil, literal.isEmpty, ASCII.isWhitespace(byte) {
                spaceAfterWord.append(byte)
                return
            }
            flushWord()
            literal += spaceAfterWord
            spaceAfterWord.removeAll()
            literal.append(byte)
        }

        mutating func flushWord() {
            guard let current = word else { return }
            output += Charsets.decodeLenient(current.bytes[...], charset: current.charset)
            word = nil
        }
    }
}
