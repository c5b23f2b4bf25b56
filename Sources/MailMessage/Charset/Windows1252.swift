/// Windows-1252 decoding in Swift: the fallback for unlabelled 8-bit text is hot, and needs no iconv.
enum Windows1252 {
    /// Decodes every byte; the five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to C1 controls, as in WHATWG.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(scalar(byte)) }
        return String(scalars)
    }

    /// The character for one byte: 0x80-0x9F through the table, any other byte as its Latin-1 code point.
    static func scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard byte >= 0x80, byte < 0xA0 else { return Unicode.Scalar(byte) }
        return Unicode.Scalar(high[Int(byte - 0x80)]) ?? Unicode.Scalar(byte)
    }

    private static let high: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
