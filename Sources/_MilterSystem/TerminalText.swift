/// Text for a terminal: control characters that a terminal would act on (ESC starting an escape sequence, BEL,
/// backspace, a lone CR, DEL, the C1 controls) written as visible escapes, so that a message cannot retitle,
/// recolour or rewrite the screen of whoever reads its dump. Line feeds and tabs stay.
package enum TerminalText {
    /// `text` with every control character but `\n` and `\t` written as `\r`, `\x1B` or `\u{9B}`; with
    /// `keepingLineFeeds` false, `\n` too, written `\n`: text that must stay on one line (a row per message).
    package static func escapingControls(_ text: String, keepingLineFeeds: Bool = true) -> String {
        let needsEscape: (Unicode.Scalar) -> Bool = { scalar in
            Self.needsEscape(scalar) || (!keepingLineFeeds && scalar == "\n")
        }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        return ScalarEscape.replacing(text) { scalar in
            guard needsEscape(scalar) else { return nil }
            let digits = ScalarEscape.hex(scalar)
            switch scalar.value {
            case 0x0A: return "\\n"
            case 0x0D: return "\\r"
            case 0...0x7F: return "\\x" + (digits.count < 2 ? "0" : "") + digits
            default: return "\\u{" + digits + "}"
            }
        }
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "\t" && scalar != "\n" && ScalarEscape.isControl(scalar)
    }
}
