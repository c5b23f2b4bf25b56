import _MilterSystem

/// Escapes for log fields: a header or address in a log line must not forge a second line, nor
/// reach the terminal as a control sequence.
public enum LogLine {
    /// `text` with control characters written as `\n`, `\t`, `\r` or `\u{XX}`, and backslashes doubled.
    public static func escaped(_ text: String) -> String {
        // Nearly every field needs nothing escaped: one pass over its bytes says so, without a look at each scalar.
        guard mayNeedEscape(text) else { return text }
        return ScalarEscape.replacing(text) { scalar in
            switch scalar {
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where ScalarEscape.isControl(scalar): "\\u{\(ScalarEscape.hex(scalar))}"
            default: nil
            }
        }
    }

    /// Whether `text`'s UTF-8 holds a byte that starts a scalar ``escaped(_:)`` may replace: a C0 control, a
    /// backslash, DEL, or 0xC2, the lead byte of the C1 controls (and of U+00A0 to U+00BF, which then get the
    /// look by scalar). `true` when the bytes are not contiguous.
    static func mayNeedEscape(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\\") || $0 == 0x7F || $0 == 0xC2 }
        } ?? true
    }

    /// `text` as a JSON string literal, quotes included.
    public static func jsonString(_ text: String) -> String {
        let escaped = ScalarEscape.replacing(text) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where ScalarEscape.isControl(scalar): jsonEscape(scalar)
            default: nil
            }
        }
        return "\"" + escaped + "\""
    }

    /// `\u` and four lowercase hexadecimal digits, JSON's spelling of a control character.
    private static func jsonEscape(_ scalar: Unicode.Scalar) -> String {
        let digits = ScalarEscape.hex(scalar, uppercase: false)
        return "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
