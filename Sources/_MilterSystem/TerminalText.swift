/// Text for a terminal: control characters that a terminal would act on (ESC starting an escape sequence, BEL,
/// backspace, a lone CR, DEL, the C1 controls) written as visible escapes, so that a message cannot retitle,
/// recolour or rewrite the screen of whoever reads its dump. Line feeds and tabs stay.
package enum TerminalText {
    /// `text` with every control character but `\n` and `\t` written as `\r`, `\x1B` or `\u{9B}`.
    package static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                output.unicodeScalars.append(scalar)
                continue
            }
            let digits = String(scalar.value, radix: 16, uppercase: true)
            switch scalar.value {
            case 0x0D: output += "\\r"
            case 0...0x7F: output += "\\x" + (digits.count < 2 ? "0" : "") + digits
            default: output += "\\u{" + digits + "}"
            }
        }
        return output
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0..<0x20, 0x7F...0x9F: true
        default: false
        }
    }
}
