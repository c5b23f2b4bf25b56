import MailMessage

/// A message file whose first line starts with a space or tab, sent as an MTA would send it.
///
/// `RawMessage` sets such lines aside and reads the header fields after them, as Python's `email` package does
/// (``RawMessage/leadingContinuationLines``). Postfix does not: its `smtpd` writes an empty line before a first DATA
/// line that starts with white space, so the message has no header fields of its own and all of it, from that
/// line, is body. Sendmail's `collect` also ends the header at a first line that is no field. milter-replay and
/// `reference-milter test` send the file the same way: no header fields, the whole message (after a leading mbox
/// `From ` line) as body.
package enum LeadingWhiteSpace {
    /// `bytes` split as an MTA reads them, every header field kept (the caller bounds the size): `message` is what
    /// goes to the milter; `setAside` is the message as parsed when its first line starts with white space (then
    /// `message` has no header fields), for ``warning(for:expectHeader:)``; `nil` otherwise.
    package static func split(_ bytes: [UInt8]) -> (message: RawMessage, setAside: RawMessage?) {
        let raw = RawMessage(parsing: bytes, limits: .keepingEveryField(ofMessageOf: bytes.count))
        guard let whole = wholeMessageAsBody(raw, bytes: bytes) else { return (raw, nil) }
        return (whole, raw)
    }

    /// `raw`, parsed from `bytes`, as an MTA reads it when its first line starts with white space: no header
    /// fields, every byte after the mbox line as body; `nil` when its first line does not.
    static func wholeMessageAsBody(_ raw: RawMessage, bytes: [UInt8]) -> RawMessage? {
        guard !raw.leadingContinuationLines.isEmpty else { return nil }
        let start =
            raw.mboxFromLine == nil ? 0 : (bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count)
        return RawMessage(headerFields: [], body: bytes[start...], lineEnding: raw.lineEnding)
    }

    /// Why the message goes as body, for a warning; `raw` is the message as parsed, whose fields (after the set-aside
    /// lines) go as body lines too; `expectHeader`, a field the caller would have read (milter-replay's expectation).
    /// Names fields, never values: they may be personal data.
    package static func warning(for raw: RawMessage, expectHeader: String? = nil) -> String {
        var text =
            "its first line starts with white space, so Postfix and Sendmail read no header fields in it: all of it "
            + "is sent as the body"
        if !raw.headerFields.isEmpty {
            text +=
                " (the \(raw.headerFields.count) field\(raw.headerFields.count == 1 ? "" : "s") after that line too)"
        }
        if let expectHeader, !raw.fields(named: expectHeader).isEmpty {
            text += "; its \(expectHeader) line is body too and is not read (give --expect or a manifest)"
        }
        return text
    }
}
