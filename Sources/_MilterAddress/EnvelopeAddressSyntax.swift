/// One envelope address as MAIL or RCPT carries it, checked the same way wherever one is written: on a command line
/// (`milter-replay --from` and `--rcpt`, a milter binary's `test`) and in a rules file (`add-recipient`,
/// `delete-recipient`, `change-sender`).
package enum EnvelopeAddressSyntax {
    /// Whether `text` reads as one envelope address: optionally in `<…>`, no other angle bracket, no white space
    /// outside double quotes; empty (`<>` or nothing) only when `allowingNull`.
    package static func isEnvelopeAddress(_ text: String, allowingNull: Bool) -> Bool {
        var inner = Substring(text)
        if inner.hasPrefix("<") {
            guard inner.hasSuffix(">"), inner.count >= 2 else { return false }
            inner = inner.dropFirst().dropLast()
        }
        if inner.isEmpty { return allowingNull }
        var quoted = false
        for character in inner {
            if character == "\"" { quoted.toggle() }
            if character == "<" || character == ">" { return false }
            if !quoted, character.isWhitespace { return false }
        }
        return !quoted
    }
}
