extension ReplyCode {
    /// Whether Sendmail uses a REPLYCODE text as it is (`MILTER_CHECK_REPLYCODE` in `sendmail/milter.c`):
    /// at least three bytes, a first digit of 4 or 5 followed by two digits, no NUL inside, and every
    /// `%` doubled. Sendmail checks nothing else (not the enhanced code, the continuation lines or the
    /// length) and silently replaces a text that fails with its own refusal, ``sendmailDefault(for:)``.
    public static func sendmailAccepts(_ text: MilterString) -> Bool {
        let bytes = text.bytes
        guard bytes.count >= 3, !bytes.contains(0) else { return false }
        guard bytes[0] == UInt8(ascii: "4") || bytes[0] == UInt8(ascii: "5") else { return false }
        guard ReplyLines.isDigit(bytes[1]), ReplyLines.isDigit(bytes[2]) else { return false }
        return !ReplyLines.hasSinglePercent(bytes[...])
    }

    /// The refusal Sendmail gives instead of a REPLYCODE text that fails ``sendmailAccepts(_:)``:
    /// `milter_send_command`'s `defresponse` for the command, and `milter_data`'s at end of message.
    public static func sendmailDefault(for step: MilterCommand.ID) -> String {
        switch step {
        case .connect: "554 Command rejected"
        case .helo: "550 Command rejected"
        case .body, .endOfMessage: "554 5.7.1 Command rejected"
        default: "550 5.7.1 Command rejected"
        }
    }

    /// The verdict Sendmail keeps for a REPLYCODE at CONNECT, whose text it drops (`milter_connect`, built
    /// without `_FFR_MILTER_CONNECT_REPLYCODE`, as by default; `srvrsmtp.c` then answers as for that verdict):
    /// SHUTDOWN for a text starting `421 `, TEMPFAIL for another starting with 4, REJECT for any other, one
    /// that fails ``sendmailAccepts(_:)`` included (`MILTER_CHECK_REPLYCODE` swapped it for a 554 first).
    public static func sendmailConnectVerdict(_ text: MilterString) -> MilterReply {
        guard sendmailAccepts(text), text.bytes.first == UInt8(ascii: "4") else { return .reject }
        return text.bytes.starts(with: "421 ".utf8) ? .shutdown : .tempfail
    }
}
