import NIOCore

extension ByteBuffer {
    /// Reads a REPLYCODE payload, keeping every byte, so that each MTA's rules can judge it and the frame
    /// encodes back byte for byte (``writeReplyCodeText(_:)``). The text is the payload without its final NUL;
    /// a payload with no final NUL at all is kept with one NUL added, and one ending in two or more NULs is
    /// kept whole. So a text ending in exactly one NUL stands for a payload that had none: the MTAs take such
    /// a frame. Postfix reads the payload whole (`milter8_event`, SMFIR_REPLYCODE: `milter8_read_data` with
    /// `MILTER8_DATA_BUFFER`, no terminator needed) and uses it as a C string, so the text ends at a NUL
    /// (``ReplyCode/postfixProblems(in:)``); 3.7.21 and the current snapshots NUL-terminate what they read,
    /// earlier releases read on into stale bytes of the reused buffer. Postfix 3.12-20260819's
    /// `milter8_valid_smtp_reply` refuses a NUL before the last byte. Sendmail's `milter_read` keeps the bytes
    /// read (`rlen`) and `MILTER_CHECK_REPLYCODE` (`strlen(response) + 1 != rlen`) swaps a text with a NUL
    /// inside, or none at its end, for its own refusal (``ReplyCode/sendmailAccepts(_:)``).
    @inlinable
    package mutating func readReplyCodeText() throws(MilterProtocolError) -> MilterString {
        var bytes = readBytes(length: readableBytes) ?? []
        switch bytes.reversed().prefix(2).prefix(while: { $0 == 0 }).count {
        case 0: bytes.append(0)
        case 1: bytes.removeLast()
        default: break
        }
        return MilterString(bytes: bytes)
    }

    /// Writes a REPLYCODE payload as ``readReplyCodeText()`` read it: the text and its terminating NUL, but
    /// without that NUL for a text ending in exactly one NUL, and as it is for one ending in more.
    @inlinable
    package mutating func writeReplyCodeText(_ text: MilterString) {
        switch text.bytes.reversed().prefix(2).prefix(while: { $0 == 0 }).count {
        case 0:
            writeBytes(text.bytes)
            writeInteger(UInt8(0))
        case 1: writeBytes(text.bytes.dropLast())
        default: writeBytes(text.bytes)
        }
    }
}

extension ReplyCode {
    /// Whether a REPLYCODE text stands for a payload with no NUL at its end (``ByteBuffer/readReplyCodeText()``).
    public static func lacksTerminator(_ text: MilterString) -> Bool {
        text.bytes.last == 0 && (text.bytes.count == 1 || text.bytes[text.bytes.count - 2] != 0)
    }
}
