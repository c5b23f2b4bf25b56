import MailMessage
import Testing

/// What follows an invalid sequence in a stateful charset. The shift state after the error is the state the
/// text is in, so it is kept: resetting it (`iconv(cd, NULL, NULL, NULL, NULL)`) after an error would read the
/// rest of a kanji run as ASCII (`0"` for 唖). Python 3.11's codecs (`errors="replace"`) give the same text.
/// Between conversions the state is reset (``ConcurrencyTests/shiftStateIsReset()``).
struct CharsetErrorRecoveryTests {
    static let esc: UInt8 = 0x1B
    static let ascii: [UInt8] = [esc, 0x28, 0x42]

    static let cases: [(String, [UInt8], String)] = [
        (
            "a bad byte in JIS X 0208", [esc, 0x24, 0x42, 0x30, 0x21, 0xFF, 0x30, 0x22] + ascii + Array("abc".utf8),
            "亜\u{FFFD}唖abc"
        ),
        ("a bad byte in JIS-Roman", [esc, 0x28, 0x4A, 0x5C, 0xFF, 0x5C] + ascii + Array("abc".utf8), "¥\u{FFFD}¥abc"),
        ("a bad byte in GB 2312", [esc, 0x24, 0x41, 0x30, 0x21, 0xFF, 0x30, 0x22] + ascii, "啊\u{FFFD}阿"),
        (
            "a bad byte in ASCII",
            [esc, 0x24, 0x42, 0x30, 0x21] + ascii + Array("abc".utf8) + [0xFF] + Array("def".utf8), "亜abc\u{FFFD}def"
        ),
    ]

    @Test(arguments: cases)
    func textAfterAnInvalidSequenceKeepsItsShiftState(_ label: String, _ bytes: [UInt8], _ expected: String) {
        #expect(Charsets.decode(bytes[...], charset: "iso-2022-jp") == expected, "\(label)")
    }

    /// An escape sequence iconv does not know is one U+FFFD and leaves the current set as it was, as in Python:
    /// iconv passed it through as text in ASCII, and in a kanji run read it as kanji and lost step (`亜�攬�abc`).
    static let unknownEscapes: [(String, [UInt8], String)] = [
        (
            "ESC ( Z in JIS X 0208",
            [esc, 0x24, 0x42, 0x30, 0x21, esc, 0x28, 0x5A, 0x30, 0x22] + ascii + Array("abc".utf8), "亜\u{FFFD}唖abc"
        ),
        (
            "ESC $ ( Q in JIS X 0208", [esc, 0x24, 0x42, 0x30, 0x21, esc, 0x24, 0x28, 0x51, 0x30, 0x22] + ascii,
            "亜\u{FFFD}唖"
        ),
        ("ESC ( Z in ASCII", Array("abc".utf8) + [esc, 0x28, 0x5A] + Array("def".utf8), "abc\u{FFFD}def"),
        ("an escape cut short", [esc, 0x24, 0x42, 0x30, 0x21, esc, 0x24], "亜\u{FFFD}"),
        (
            "a pair cut short by an escape", [esc, 0x24, 0x42, 0x30, 0x21, 0x30, esc, 0x28, 0x5A, 0x30, 0x22],
            "亜\u{FFFD}\u{FFFD}唖"
        ),
    ]

    @Test(arguments: unknownEscapes)
    func anUnknownEscapeKeepsTheShiftState(_ label: String, _ bytes: [UInt8], _ expected: String) {
        #expect(Charsets.decode(bytes[...], charset: "iso-2022-jp") == expected, "\(label)")
        #expect(Charsets.decode(bytes[...], charset: "iso-2022-jp-2") == expected, "\(label)")
    }

    /// JIS X 0212 (`ESC $ ( D`, RFC 1554) is a set glibc's ISO-2022-JP-2 converter knows: it switches, as in
    /// Python's `iso2022_jp_2` (`亜丂唖abc`), and is not taken for an unknown escape.
    @Test func jisX0212Switches() {
        let esc = Self.esc
        let bytes: [UInt8] =
            [esc, 0x24, 0x42, 0x30, 0x21, esc, 0x24, 0x28, 0x44, 0x30, 0x21, esc, 0x24, 0x42, 0x30, 0x22] + Self.ascii
            + Array("abc".utf8)
        #expect(Charsets.decode(bytes[...], charset: "iso-2022-jp-2") == "亜丂唖abc")
    }

    /// The escapes iconv knows still switch sets: JIS X 0201 katakana, KS C 5601, GB 2312.
    @Test func knownEscapesStillSwitch() {
        let esc = Self.esc
        let bytes: [UInt8] =
            [esc, 0x28, 0x49, 0x31, esc, 0x24, 0x28, 0x43, 0x30, 0x21, esc, 0x24, 0x41, 0x30, 0x21] + Self.ascii
        #expect(Charsets.decode(bytes[...], charset: "iso-2022-jp") == "ｱ가啊")
    }

    /// Ranges are taken in the slice's own indices.
    @Test func aSliceOfALargerBuffer() {
        let esc = Self.esc
        let bytes: [UInt8] = Array("xx".utf8) + [esc, 0x24, 0x42, 0x30, 0x21, esc, 0x28, 0x5A, 0x30, 0x22] + Self.ascii
        #expect(Charsets.decode(bytes[2...], charset: "iso-2022-jp") == "亜\u{FFFD}唖")
    }

    @Test func theNextConversionStartsInASCII() {
        let cut: [UInt8] = [Self.esc, 0x24, 0x42, 0x30, 0x21, 0xFF, 0x30]
        #expect(Charsets.decode(cut[...], charset: "iso-2022-jp") == "亜\u{FFFD}\u{FFFD}")
        #expect(Charsets.decode([0x30, 0x22] + Self.ascii, charset: "iso-2022-jp") == "0\"")
    }
}
