/// The warnings for replies Postfix takes though the protocol does not allow them (`src/milter/milter8.c`).
extension MTASession {
    /// What Postfix does after SKIP at `step`. `milter8_event` answers the event with the milter's default
    /// reply (CONTINUE), sets `skip_event_type`, and answers the following events of that type the same
    /// way without sending them or their macros, until it is called for an event of another type.
    static func postfixSkipConsequence(at step: MilterCommand.ID) -> String {
        switch step {
        case .body: "Postfix sends no more body chunks"
        case .endOfMessage: "Postfix takes it as CONTINUE, which accepts the message"
        default: "Postfix takes it as CONTINUE, and sends no \(step) until an event of another type goes"
        }
    }

    /// The warning for a REPLYCODE with bytes after its NUL, or `nil`. Postfix up to 3.11 reads the payload
    /// whole (`milter8_event`, SMFIR_REPLYCODE: `milter8_read_data` with `MILTER8_DATA_BUFFER`) and uses it as
    /// a C string, dropping them; 3.12-20260819's `milter8_valid_smtp_reply` refuses the reply as malformed.
    static func postfixReplyCodeWarning(_ text: MilterString) -> MilterProtocolError? {
        guard let nul = text.bytes.firstIndex(of: 0) else { return nil }
        if nul == text.bytes.count - 1, ReplyCode.lacksTerminator(text) {
            return MilterProtocolError(
                .invalidReplyCode, commandByte: MilterReply.ID.replyCode.rawValue,
                detail:
                    "no NUL at the end of the payload: Postfix takes its bytes as the text (3.7.21 and the current "
                    + "snapshots; before 3.7.21 it read on into stale bytes up to a NUL, milter8_read_data)")
        }
        return MilterProtocolError(
            .invalidReplyCode, commandByte: MilterReply.ID.replyCode.rawValue,
            excerpt: Redaction.excerpt(text.bytes[nul...]),
            detail: "bytes after the text's NUL: Postfix uses the text up to the NUL (3.12-20260819 fails the milter)")
    }
}
