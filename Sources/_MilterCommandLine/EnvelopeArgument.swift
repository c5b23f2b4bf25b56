import _MilterAddress

/// An envelope address written on a command line (`milter-replay --from` and `--rcpt`, a milter binary's
/// `test SENDER RECIPIENTS...`): one address an MTA could send in MAIL or RCPT, checked the same way in both, and
/// as a rules file's addresses are (``EnvelopeAddressSyntax``).
package enum EnvelopeArgument {
    /// Whether `text` reads as one envelope address: optionally in `<…>`, no other angle bracket, no white space
    /// outside double quotes; empty (`<>` or nothing) only when `allowingNull`.
    package static func isEnvelopeAddress(_ text: String, allowingNull: Bool) -> Bool {
        EnvelopeAddressSyntax.isEnvelopeAddress(text, allowingNull: allowingNull)
    }
}
