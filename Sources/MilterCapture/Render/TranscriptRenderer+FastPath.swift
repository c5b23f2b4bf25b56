import MilterProtocol
import NIOCore

extension TranscriptRenderer {
    /// Appends the name and fields of a complete frame straight from its payload bytes, for the kinds that fill
    /// large captures: HEADER, BODY and end of message, MAIL, RCPT, HELO, and the commands and replies without
    /// payload. The text is what ``FrameDescription`` gives once the codec decoded the frame. Any other frame,
    /// and any payload the codec would refuse, is left alone (false, nothing appended) for the general way.
    package func appendFastDescription(
        command: UInt8, direction: FrameDirection, payload: ByteBuffer, to output: inout [UInt8]
    ) -> Bool {
        payload.withUnsafeReadableBytes { raw in
            switch direction {
            case .fromMTA:
                guard let id = MilterCommand.ID(rawValue: command) else { return false }
                return appendFastCommand(id, raw, to: &output)
            case .fromMilter:
                guard let id = MilterReply.ID(rawValue: command) else { return false }
                switch id {
                case .continue, .accept, .reject, .tempfail, .discard, .skip, .progress, .shutdown,
                    .connectionFailure:
                    guard raw.isEmpty else { return false }
                    output += id.description.utf8
                    return true
                default: return false
                }
            }
        }
    }

    private func appendFastCommand(
        _ id: MilterCommand.ID, _ raw: UnsafeRawBufferPointer, to output: inout [UInt8]
    ) -> Bool {
        switch id {
        case .header:
            // name NUL value NUL, and nothing after.
            guard let nameEnd = raw.firstIndex(of: 0), raw.count >= nameEnd + 2, raw.last == 0,
                raw[(nameEnd + 1)..<(raw.count - 1)].firstIndex(of: 0) == nil
            else { return false }
            output += id.description.utf8
            output += " name=".utf8
            TextEscaping.appendQuoted(raw[..<nameEnd], to: &output)
            output += " value=".utf8
            TextEscaping.appendQuoted(raw[(nameEnd + 1)..<(raw.count - 1)], to: &output)
        case .body, .endOfMessage:
            output += id.description.utf8
            guard !raw.isEmpty else { return true }
            output += " data=".utf8
            TimestampFormatting.appendDigits(UInt64(raw.count), width: 1, to: &output)
            output += "B:".utf8
            TextEscaping.appendQuoted(raw, limit: byteExcerptLength, to: &output)
        case .mail, .recipient:
            // An address and arguments, each NUL-terminated.
            guard raw.last == 0, let addressEnd = raw.firstIndex(of: 0) else { return false }
            output += id.description.utf8
            output += " address=".utf8
            TextEscaping.appendQuoted(raw[..<addressEnd], to: &output)
            output += " arguments=[".utf8
            var start = addressEnd + 1
            while start < raw.count, let end = raw[start...].firstIndex(of: 0) {
                if start > addressEnd + 1 { output += ", ".utf8 }
                TextEscaping.appendQuoted(raw[start..<end], to: &output)
                start = end + 1
            }
            output.append(UInt8(ascii: "]"))
        case .helo:
            guard raw.last == 0, raw.firstIndex(of: 0) == raw.count - 1 else { return false }
            output += id.description.utf8
            output += " text=".utf8
            TextEscaping.appendQuoted(raw[..<(raw.count - 1)], to: &output)
        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection:
            guard raw.isEmpty else { return false }
            output += id.description.utf8
        case .optionNegotiation, .macro, .connect, .unknown:
            return false
        }
        return true
    }
}
