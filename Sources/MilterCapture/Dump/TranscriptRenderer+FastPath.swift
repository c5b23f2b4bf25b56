import MilterProtocol
import NIOCore

extension TranscriptRenderer {
    /// Appends the name and fields of a complete frame straight from its payload bytes, for the kinds that fill
    /// large captures: HEADER, BODY and end of message, MAIL, RCPT, HELO, CONNECT, MACRO, and the commands and
    /// replies without payload. The text is what ``FrameDescription`` gives once the codec decoded the frame. Any
    /// other frame, and any payload the codec would refuse, is left alone (false, nothing appended) for the
    /// general way.
    package func appendFastDescription(
        command: UInt8, direction: FrameDirection, payload: ByteBuffer, to output: inout [UInt8]
    ) -> Bool {
        guard textExcerptLength == .max else { return false }
        return payload.withUnsafeReadableBytes { raw in
            LineWriter.append(to: &output, reserving: fastLineCapacity(command, direction, raw.count)) {
                writeFastDescription(command: command, direction: direction, payload: raw, to: &$0)
            }
        }
    }

    /// Appends a complete frame's whole line (start, fast description, end), or nothing and false when the fast
    /// description does not apply.
    func appendFastLine(
        command: UInt8, direction: FrameDirection, payload: UnsafeRawBufferPointer, packets: (first: Int, last: Int),
        at timestamp: CaptureTimestamp, start: CaptureTimestamp, afterResynchronisation: Bool = false,
        to output: inout [UInt8]
    ) -> Bool {
        guard textExcerptLength == .max else { return false }
        return LineWriter.append(to: &output, reserving: fastLineCapacity(command, direction, payload.count)) {
            writer in
            writeLineStart(direction, packets, at: timestamp, start: start, to: &writer)
            guard writeFastDescription(command: command, direction: direction, payload: payload, to: &writer) else {
                return false
            }
            if afterResynchronisation { writer.text("  (after resynchronisation)") }
            writer.byte(10)
            return true
        }
    }

    /// An upper bound of a fast line's bytes: the start and the names, plus at most 12 bytes per payload byte
    /// (escapes, and the quotes and separators of strings of one byte), of the excerpt only for body chunks.
    private func fastLineCapacity(_ command: UInt8, _ direction: FrameDirection, _ count: Int) -> Int {
        let isBody =
            direction == .fromMTA
            && (command == MilterCommand.ID.body.rawValue || command == MilterCommand.ID.endOfMessage.rawValue)
        return 256 + 12 * (isBody ? min(count, byteExcerptLength) : count)
    }

    private func writeFastDescription(
        command: UInt8, direction: FrameDirection, payload raw: UnsafeRawBufferPointer, to writer: inout LineWriter
    ) -> Bool {
        switch direction {
        case .fromMTA:
            guard let id = MilterCommand.ID(rawValue: command) else { return false }
            return writeFastCommand(id, raw, to: &writer)
        case .fromMilter:
            guard let id = MilterReply.ID(rawValue: command) else { return false }
            switch id {
            case .continue, .accept, .reject, .tempfail, .discard, .skip, .progress, .shutdown,
                .connectionFailure:
                guard raw.isEmpty else { return false }
                writer.text(id.name)
                return true
            default: return false
            }
        }
    }

    private func writeFastCommand(
        _ id: MilterCommand.ID, _ raw: UnsafeRawBufferPointer, to writer: inout LineWriter
    ) -> Bool {
        switch id {
        case .header:
            // name NUL value NUL, and nothing after.
            guard let nameEnd = raw.firstIndex(of: 0), raw.count >= nameEnd + 2, raw.last == 0,
                raw[(nameEnd + 1)..<(raw.count - 1)].firstIndex(of: 0) == nil
            else { return false }
            writer.text("HEADER name=")
            writer.quoted(UnsafeRawBufferPointer(rebasing: raw[..<nameEnd]))
            writer.text(" value=")
            writer.quoted(UnsafeRawBufferPointer(rebasing: raw[(nameEnd + 1)..<(raw.count - 1)]))
        case .body, .endOfMessage:
            writer.text(id.name)
            guard !raw.isEmpty else { return true }
            writer.text(" data=")
            writer.decimal(UInt64(raw.count))
            writer.text("B:")
            writer.quoted(raw, limit: byteExcerptLength)
        case .mail, .recipient:
            // An address and arguments, each NUL-terminated.
            guard raw.last == 0, let addressEnd = raw.firstIndex(of: 0) else { return false }
            writer.text(id.name)
            writer.text(" address=")
            writer.quoted(UnsafeRawBufferPointer(rebasing: raw[..<addressEnd]))
            writer.text(" arguments=[")
            var start = addressEnd + 1
            while start < raw.count, let end = raw[start...].firstIndex(of: 0) {
                if start > addressEnd + 1 { writer.text(", ") }
                writer.quoted(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end + 1
            }
            writer.byte(UInt8(ascii: "]"))
        case .helo:
            guard raw.last == 0, raw.firstIndex(of: 0) == raw.count - 1 else { return false }
            writer.text("HELO text=")
            writer.quoted(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 1)]))
        case .connect:
            return writeFastConnect(raw, to: &writer)
        case .macro:
            return writeFastMacro(raw, to: &writer)
        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection:
            guard raw.isEmpty else { return false }
            writer.text(id.name)
        case .optionNegotiation, .unknown:
            return false
        }
        return true
    }

    /// `hostname NUL family`, then for families 4, 6 and L a port and `address NUL`; family U ends there.
    private func writeFastConnect(_ raw: UnsafeRawBufferPointer, to writer: inout LineWriter) -> Bool {
        guard let hostnameEnd = raw.firstIndex(of: 0), hostnameEnd + 1 < raw.count else { return false }
        let family = raw[hostnameEnd + 1]
        let hostname = UnsafeRawBufferPointer(rebasing: raw[..<hostnameEnd])
        if family == UInt8(ascii: "U") {
            guard raw.count == hostnameEnd + 2 else { return false }
            writer.text("CONNECT hostname=")
            writer.quoted(hostname)
            writer.text(" family=\"U\"")
            return true
        }
        let portStart = hostnameEnd + 2
        guard family == UInt8(ascii: "4") || family == UInt8(ascii: "6") || family == UInt8(ascii: "L"),
            raw.count >= portStart + 3, raw.last == 0, raw[(portStart + 2)...].firstIndex(of: 0) == raw.count - 1
        else { return false }
        writer.text("CONNECT hostname=")
        writer.quoted(hostname)
        writer.text(" family=\"")
        writer.byte(family)
        writer.text("\" port=")
        writer.decimal(UInt64(raw[portStart]) << 8 | UInt64(raw[portStart + 1]))
        writer.text(" address=")
        writer.quoted(UnsafeRawBufferPointer(rebasing: raw[(portStart + 2)..<(raw.count - 1)]))
        return true
    }

    /// A stage byte, then NUL-terminated name and value pairs.
    private func writeFastMacro(_ raw: UnsafeRawBufferPointer, to writer: inout LineWriter) -> Bool {
        guard !raw.isEmpty else { return false }
        // Check the pairs first: nothing is written for a payload the codec refuses.
        var position = 1
        while position < raw.count {
            guard let nameEnd = raw[position...].firstIndex(of: 0), nameEnd + 1 < raw.count,
                let valueEnd = raw[(nameEnd + 1)...].firstIndex(of: 0)
            else { return false }
            position = valueEnd + 1
        }
        writer.text("MACRO stage=")
        writer.quoted(UnsafeRawBufferPointer(rebasing: raw[0..<1]))
        writer.text(" macros={")
        position = 1
        while position < raw.count {
            let nameEnd = raw[position...].firstIndex(of: 0)!
            let valueEnd = raw[(nameEnd + 1)...].firstIndex(of: 0)!
            if position > 1 { writer.text(", ") }
            writer.quoted(UnsafeRawBufferPointer(rebasing: raw[position..<nameEnd]))
            writer.text(": ")
            writer.quoted(UnsafeRawBufferPointer(rebasing: raw[(nameEnd + 1)..<valueEnd]))
            position = valueEnd + 1
        }
        writer.byte(UInt8(ascii: "}"))
        return true
    }
}
