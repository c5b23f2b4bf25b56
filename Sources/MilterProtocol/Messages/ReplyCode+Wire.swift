import NIOCore

extension ByteBuffer {
    /// Reads a REPLYCODE payload. Bytes after the text's NUL are kept after a NUL in the text, its own last
    /// NUL dropped, so that each MTA's rules can judge them: Postfix up to 3.11 reads the payload whole
    /// (`milter8_event`, SMFIR_REPLYCODE: `milter8_read_data` with `MILTER8_DATA_BUFFER`) and uses it as a
    /// C string, so the text ends at the NUL (``ReplyCode/postfixProblems(in:)``); Postfix 3.12-20260819's
    /// `milter8_valid_smtp_reply` refuses a NUL before the last byte; Sendmail's `MILTER_CHECK_REPLYCODE`
    /// (`strlen(response) + 1 != rlen`) swaps the text for its own refusal (``ReplyCode/sendmailAccepts(_:)``).
    @inlinable
    package mutating func readReplyCodeText() throws(MilterProtocolError) -> MilterString {
        let text = try readMilterString()
        guard var rest = readBytes(length: readableBytes), !rest.isEmpty else { return text }
        if rest.last == 0 { rest.removeLast() }
        return MilterString(bytes: text.bytes + [0] + rest)
    }

    /// Writes a REPLYCODE payload: the text, a NUL inside it included (see ``readReplyCodeText()``),
    /// and its terminating NUL.
    @inlinable
    package mutating func writeReplyCodeText(_ text: MilterString) {
        writeBytes(text.bytes)
        writeInteger(UInt8(0))
    }
}
