/// Lenient quoted-printable decoding (RFC 2045 section 6.7) and the RFC 2047 Q encoding.
public enum QuotedPrintable {
    /// Decodes a quoted-printable body.
    ///
    /// `=` at the end of a line (optionally followed by spaces) is a soft line break; `=XX`
    /// decodes in either case; any other `=` is kept as is; trailing spaces before a line break are removed.
    public static func decode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        let end = text.endIndex
        while index < end {
            let byte = text[index]
            if byte == ASCII.equals {
                index = decodeEscape(text, at: index, into: &output)
            } else if ASCII.isWSP(byte) {
                // A run of spaces and tabs, read once: dropped before a line break or the end, kept otherwise.
                let runEnd = endOfSpaces(text, from: index)
                if runEnd < end, text[runEnd] != ASCII.cr, text[runEnd] != ASCII.lf {
                    output.append(contentsOf: text[index..<runEnd])
                }
                index = runEnd
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Decodes the Q encoding of RFC 2047: like quoted-printable, with `_` standing for a space.
    public static func decodeQEncoding(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == ASCII.equals, index + 2 < text.endIndex, let high = ASCII.hexValue(text[index + 1]),
                let low = ASCII.hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            output.append(byte == 0x5F ? ASCII.space : byte)
            index += 1
        }
        return output
    }

    /// Handles the `=` at `index`; returns the index after what it consumed.
    private static func decodeEscape(_ text: ArraySlice<UInt8>, at index: Int, into output: inout [UInt8]) -> Int {
        if index + 2 < text.endIndex, let high = ASCII.hexValue(text[index + 1]),
            let low = ASCII.hexValue(text[index + 2])
        {
            output.append(high << 4 | low)
            return index + 3
        }
        var next = index + 1
        while next < text.endIndex, ASCII.isWSP(text[next]) { next += 1 }
        if next < text.endIndex, text[next] == ASCII.cr { next += 1 }
        if next < text.endIndex, text[next] == ASCII.lf { return next + 1 }
        if next == text.endIndex { return next }
        output.append(ASCII.equals)
        return index + 1
    }

    /// The index of the first byte at or after `start` that is not a space or tab.
    private static func endOfSpaces(_ text: ArraySlice<UInt8>, from start: Int) -> Int {
        var index = start
        while index < text.endIndex, ASCII.isWSP(text[index]) { index += 1 }
        return index
    }
}
