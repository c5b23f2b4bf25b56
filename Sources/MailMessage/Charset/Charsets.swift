/// Text decoding for the charsets that appear in mail.
///
/// UTF-8, US-ASCII and pure-ASCII input are decoded in Swift; everything else goes through iconv
/// after the label is mapped to the superset that mail clients actually use (GB2312 to GBK,
/// Shift_JIS to CP932, KS_C_5601-1987 to CP949, and so on).
public enum Charsets {
    /// Decodes `bytes` labelled with `charset`, or returns nil when the charset is unknown.
    ///
    /// Invalid byte sequences in a known charset become U+FFFD.
    public static func decode(_ bytes: ArraySlice<UInt8>, charset: String) -> String? {
        let label = normalizedLabel(charset)
        if label == "utf-8" { return String(decoding: bytes, as: UTF8.self) }
        if label == "us-ascii" { return decodeUnlabelled(bytes) }
        if isASCIICompatible(label), !bytes.contains(where: { $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        guard isPlausibleLabel(label) else { return nil }
        let name = iconvName(label)
        let skipping = name == "ISO-2022-JP-2" ? ISO2022Escapes.unknownSequences(in: bytes) : []
        guard let utf8 = Iconv.toUTF8(bytes, from: name, skipping: skipping) else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Decodes `bytes` labelled with `charset`; an unknown charset falls back to lossy UTF-8,
    /// where every undecodable byte shows as U+FFFD.
    public static func decodeLenient(_ bytes: ArraySlice<UInt8>, charset: String) -> String {
        decode(bytes, charset: charset) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes bytes with no declared charset (raw 8-bit headers): UTF-8 when valid, otherwise
    /// Windows-1252, the de-facto charset of unlabelled 8-bit mail.
    public static func decodeUnlabelled(_ bytes: ArraySlice<UInt8>) -> String {
        // ASCII, most header values, is valid UTF-8 as it is: decoded without the generic validation of a
        // slice, which cost about a thousand instructions for a Subject (`Charsets.isASCII(_:)` is a tenth).
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return Windows1252.decode(bytes)
    }

    /// Whether every byte is ASCII.
    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0 < 0x80 } }
    }

    /// Whether `charset` names a charset this decoder knows.
    public static func isKnown(_ charset: String) -> Bool {
        let label = normalizedLabel(charset)
        return label == "utf-8" || label == "us-ascii"
            || (isPlausibleLabel(label) && Iconv.toUTF8([0x41], from: iconvName(label)) != nil)
    }

    static func normalizedLabel(_ charset: String) -> String {
        var label = charset.lowercased()
        label.removeAll { $0 == "\"" || $0 == "'" || $0 == " " || $0 == "\t" }
        if let star = label.firstIndex(of: "*") { label = String(label[..<star]) }
        return aliases[label] ?? label
    }

    /// Charset names are short and made of letters, digits and `-_.:`; anything else (such as
    /// `//` suffixes that change iconv's behaviour) is treated as unknown without asking iconv.
    private static func isPlausibleLabel(_ label: String) -> Bool {
        label.utf8.count <= 40
            && label.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
                    || byte == 0x2E || byte == 0x3A
            }
    }

    private static func isASCIICompatible(_ label: String) -> Bool {
        !(label.hasPrefix("utf-16") || label.hasPrefix("utf-32") || label.hasPrefix("utf-7")
            || label.hasPrefix("iso-2022") || label.hasPrefix("ucs") || label.hasPrefix("unicode"))
    }

    private static func iconvName(_ label: String) -> String {
        iconvNames[label] ?? label.uppercased()
    }

    private static let aliases: [String: String] = [
        "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
        "ascii": "us-ascii", "ansi_x3.4-1968": "us-ascii", "us": "us-ascii", "iso646-us": "us-ascii",
        "latin1": "iso-8859-1", "latin-1": "iso-8859-1", "l1": "iso-8859-1", "iso8859-1": "iso-8859-1",
        "iso_8859-1": "iso-8859-1", "cp1252": "windows-1252", "x-cp1252": "windows-1252",
        "cp1251": "windows-1251", "cp1250": "windows-1250", "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949",
        "x-gbk": "gbk", "cp936": "gbk", "gb2312": "gbk", "euc-cn": "gbk", "x-euc-cn": "gbk",
        "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
        "windows-31j": "cp932", "x-euc-jp": "euc-jp", "euc-kr": "cp949", "big5-hkscs": "big5-hkscs",
        "x-big5": "big5", "cn-big5": "big5", "unicode-1-1-utf-7": "utf-7", "koi8r": "koi8-r", "koi8u": "koi8-u",
    ]

    private static let iconvNames: [String: String] = [
        "windows-1250": "CP1250", "windows-1251": "CP1251", "windows-1252": "CP1252",
        "windows-1253": "CP1253", "windows-1254": "CP1254", "windows-1255": "CP1255",
        "windows-1256": "CP1256", "windows-1257": "CP1257", "windows-1258": "CP1258",
        "cp932": "CP932", "cp949": "CP949", "gbk": "GBK", "big5": "BIG5", "iso-2022-jp": "ISO-2022-JP-2",
    ]
}
