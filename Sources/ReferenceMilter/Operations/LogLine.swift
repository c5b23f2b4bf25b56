import _MilterSystem

/// Escapes for log fields: a header or address in a log line must not forge a second line, nor
/// reach the terminal as a control sequence.
public enum LogLine {
    /// `text` with control characters written as `\n`, `\t`, `\r` or `\u{XX}`, and backslashes doubled.
    public static func escaped(_ text: String) -> String {
        ScalarEscape.replacing(text) { scalar in
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
