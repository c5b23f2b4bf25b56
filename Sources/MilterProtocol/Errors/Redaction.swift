/// Renders payload bytes for error messages without personal data.
///
/// Letters become `x`, digits `9`, other bytes above 0x7E `#`, NUL `\0`, control bytes `.`;
/// punctuation stays, so `<alice@example.org>` reads `<xxxxx@xxxxxxx.xxx>`: the shape
/// of the data survives, the address does not.
public enum Redaction {
    /// The longest excerpt put in an error, in payload bytes.
    public static let excerptLength = 32

    /// A redacted excerpt of `bytes`.
    public static func excerpt(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        for byte in bytes.prefix(excerptLength) { out += shape(of: byte) }
        if bytes.count > excerptLength { out += "…(\(bytes.count) bytes)" }
        return out
    }

    /// A command or reply byte, shown as its character when printable.
    public static func describe(byte: UInt8) -> String {
        let hex = "0x" + String(byte, radix: 16, uppercase: true)
        guard byte >= 0x21, byte <= 0x7E else { return hex }
        return "'\(Character(Unicode.Scalar(byte)))' (\(hex))"
    }

    private static func shape(of byte: UInt8) -> String {
        switch byte {
        case 0: return "\\0"
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return "x"
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return "9"
        case 0x20...0x7E: return String(Character(Unicode.Scalar(byte)))
        case 0x80...: return "#"
        default: return "."
        }
    }
}
