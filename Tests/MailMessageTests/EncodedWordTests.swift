import MailMessage
import Testing

struct EncodedWordTests {
    static let cases: [(String, String)] = [
        ("plain text", "plain text"),
        ("=?utf-8?q?caf=C3=A9?=", "café"),
        ("=?UTF-8?B?Y2Fmw6k=?=", "café"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),
        ("=?utf-8?q?a?=\t  =?utf-8?q?b?=", "ab"),
        ("=?utf-8?q?a_b?= c =?utf-8?q?d?=", "a b c d"),
        ("x =?utf-8?q?a?= y", "x a y"),
        ("=?iso-8859-1?q?=E9t=E9?=", "été"),
        ("=?iso-8859-15?q?=A4?=", "€"),
        ("=?windows-1251?b?z/Do4uXy?=", "Привет"),
        ("=?koi8-r?b?8NLJ18XU?=", "Привет"),
        ("=?shift_jis?b?k/qWe4zq?=", "日本語"),
        ("=?iso-2022-jp?b?GyRCRnxLXDhsGyhC?=", "日本語"),
        ("=?euc-kr?b?x9GxuQ==?=", "한국"),
        ("=?gb2312?b?1tDOxA==?=", "中文"),
        ("=?big5?b?pKSk5Q==?=", "中文"),
        ("=?utf-8*en?q?hello?=", "hello"),
        // A character split across two words of the same charset.
        ("=?utf-8?b?ww==?= =?utf-8?b?qQ==?=", "é"),
        // The same, with the charset's name in two cases.
        ("=?UTF-8?Q?=E2=82?= =?utf-8?Q?=AC?=", "€"),
        // Not an encoded word: spaces inside, kept literally.
        ("=?utf-8?q?not valid?=", "=?utf-8?q?not valid?="),
        ("=?utf-8?x?bad?=", "=?utf-8?x?bad?="),
        ("abc=?utf-8?q?d?=", "abcd"),
    ]

    @Test(arguments: cases)
    func decodes(_ input: String, _ expected: String) {
        #expect(EncodedWords.decode(input) == expected)
    }

    @Test func unknownCharsetFallsBackVisibly() {
        #expect(EncodedWords.decode("=?x-unknown?q?ok=FF?=") == "ok\u{FFFD}")
        #expect(!Charsets.isKnown("x-unknown"))
        #expect(!Charsets.isKnown("utf-16//IGNORE"))
        #expect(Charsets.decode([0xE9][...], charset: "latin1//TRANSLIT") == nil)
    }

    static let charsets =
        [
            "utf-8", "us-ascii", "windows-1250", "windows-1251", "windows-1252", "windows-1253", "windows-1254",
            "windows-1255", "windows-1256", "windows-1257", "windows-1258", "koi8-r", "koi8-u", "gb2312", "gbk",
            "gb18030", "big5", "shift_jis", "euc-jp", "euc-kr", "iso-2022-jp",
        ] + (1...16).filter { $0 != 12 }.map { "iso-8859-\($0)" }

    @Test(arguments: charsets)
    func charsetIsKnown(_ charset: String) {
        #expect(Charsets.isKnown(charset))
    }

    @Test func rawEightBitHeaderBytes() {
        #expect(Charsets.decodeUnlabelled(Array("Grüße".utf8)[...]) == "Grüße")
        #expect(Charsets.decodeUnlabelled([0x47, 0x72, 0xFC, 0xDF, 0x65][...]) == "Grüße")
        #expect(Charsets.decodeUnlabelled([0x80, 0x20, 0x93, 0x71, 0x94, 0x81][...]) == "€ “q”\u{81}")
    }

    /// ASCII bytes, taken on the fast path, decode as validation decodes them: a slice in the middle of its
    /// array, control bytes and DEL included; a byte past 0x7F in the slice still decides UTF-8 or Windows-1252.
    @Test func asciiHeaderBytesDecodeAsTheyAre() {
        let bytes: [UInt8] = [0xFC] + Array("Subject\t\u{1}\u{7F} x".utf8) + [0xDF]
        #expect(Charsets.decodeUnlabelled(bytes[1..<(bytes.count - 1)]) == "Subject\t\u{1}\u{7F} x")
        #expect(Charsets.decodeUnlabelled(bytes[1..<1]) == "")
        #expect(Charsets.decodeUnlabelled(bytes[1...]) == "Subject\t\u{1}\u{7F} x\u{DF}")
        #expect(Charsets.decodeUnlabelled(bytes[..<3]) == "\u{FC}Su")
    }

    @Test func invalidSequenceInKnownCharsetBecomesReplacement() {
        #expect(Charsets.decode([0x41, 0x82, 0x42][...], charset: "shift_jis") == "A\u{FFFD}B")
    }
}
