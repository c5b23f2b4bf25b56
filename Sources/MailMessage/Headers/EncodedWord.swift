/// One RFC 2047 encoded word, parsed and transfer-decoded but not yet charset-decoded.
struct EncodedWord {
    var charset: String
    var bytes: [UInt8]

    /// Parses `=?charset?enc?text?=` starting at `start`; returns the word and the index after it.
    static func parse(_ value: ArraySlice<UInt8>, at start: Int) -> (word: EncodedWord, end: Int)? {
        guard start + 1 < value.endIndex, value[start] == ASCII.equals, value[start + 1] == ASCII.question
        else { return nil }
        let charsetStart = start + 2
        guard let charsetEnd = firstQuestion(value, from: charsetStart), charsetEnd > charsetStart,
            charsetEnd + 2 < value.endIndex, value[charsetEnd + 2] == ASCII.question
        else { return nil }
        let encoding = ASCII.lower(value[charsetEnd + 1])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        let textStart = charsetEnd + 3
        guard let textEnd = firstQuestion(value, from: textStart), textEnd + 1 < value.endIndex,
            value[textEnd + 1] == ASCII.equals
        else { return nil }
        let text = value[textStart..<textEnd]
        let bytes = encoding == 0x62 ? Base64.decode(text) : QuotedPrintable.decodeQEncoding(text)
        let charset = String(decoding: value[charsetStart..<charsetEnd], as: UTF8.self)
        return (EncodedWord(charset: charset, bytes: bytes), textEnd + 2)
    }

    /// The next `?` before any whitespace, or nil.
    private static func firstQuestion(_ value: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < value.endIndex {
            let byte = value[index]
            if byte == ASCII.question { return index }
            if ASCII.isWhitespace(byte) { return nil }
            index += 1
        }
        return nil
    }
}
