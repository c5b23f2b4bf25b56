import MilterProtocol

/// Renders captured sessions as readable transcripts: one line per frame or issue, with the time offset from the
/// session's first packet, the sender, the packet numbers, and the decoded fields.
///
/// ```text
/// session stream 0: MTA 10.0.0.1:40000 -> milter 10.0.0.2:7044 (OPTNEG, handshake) 2023-11-14T22:13:20.000000000Z
///   +0.000003  MTA     #4      MAIL address="<alice@example.net>" arguments=["SIZE=100"]
///   +0.000004  milter  #5      CONTINUE
/// ```
public struct TranscriptRenderer: Sendable {
    /// The most payload bytes quoted for body chunks and other opaque data.
    public var byteExcerptLength: Int
    /// The most bytes quoted of each text field (header values, addresses), then `...`; all by default.
    /// milter-replay shortens modifications on its result rows with it.
    public var textExcerptLength: Int

    /// Creates a renderer.
    public init(byteExcerptLength: Int = 48, textExcerptLength: Int = .max) {
        self.byteExcerptLength = byteExcerptLength
        self.textExcerptLength = textExcerptLength
    }

    /// The whole transcript of `session`, ending with a newline.
    public func render(_ session: CapturedSession) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(session.entries.count * 64)
        render(session, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the transcript of `session` to `output` as UTF-8 bytes, ending with a newline: the dump reuses one
    /// buffer for a whole capture.
    public func render(_ session: CapturedSession, into output: inout [UInt8]) {
        _ = appendTranscript(session, to: &output)
    }

    /// ``render(_:into:)``, returning ``CapturedSession/isClean`` found on the way (one pass over the entries).
    func appendTranscript(_ session: CapturedSession, to output: inout [UInt8]) -> Bool {
        appendHeader(session.info, to: &output)
        let counts = appendEntries(session.entries, start: session.info.startTimestamp, to: &output)
        appendFooter(session.info.stream, counts, to: &output)
        return counts.clean
    }

    /// One line per frame or issue; returns what the footer counts.
    func appendEntries(_ entries: [SessionEntry], start: CaptureTimestamp, to output: inout [UInt8]) -> TranscriptCounts
    {
        var counts = TranscriptCounts()
        for entry in entries {
            switch entry {
            case .frame(let frame):
                appendLine(frame, start: start, to: &output)
                counts.count(frame)
            case .issue(let issue):
                appendIssueLine(issue, to: &output)
                counts.issues += 1
                counts.clean = false
            }
        }
        return counts
    }

    /// The last line of a session's transcript: `end of stream N: C commands, R replies, I issues`.
    func appendFooter(_ stream: StreamID, _ counts: TranscriptCounts, to output: inout [UInt8]) {
        appendFooter("stream", stream.index, counts, to: &output)
    }

    /// `end of KIND N: C commands, R replies, I issues`.
    func appendFooter(_ kind: String, _ number: Int, _ counts: TranscriptCounts, to output: inout [UInt8]) {
        output += "end of ".utf8
        output += kind.utf8
        output.append(32)
        TimestampFormatting.appendDigits(UInt64(number), width: 1, to: &output)
        output += ": ".utf8
        TimestampFormatting.appendDigits(UInt64(counts.commands), width: 1, to: &output)
        output += " commands, ".utf8
        TimestampFormatting.appendDigits(UInt64(counts.replies), width: 1, to: &output)
        output += " replies, ".utf8
        TimestampFormatting.appendDigits(UInt64(counts.issues), width: 1, to: &output)
        output += " issues\n".utf8
    }

    /// A summary of the whole capture: counts, then issues that belong to no session.
    public func renderSummary(_ statistics: CaptureStatistics, sessions: Int, captureIssues: [CaptureIssue]) -> String {
        var lines = [
            "capture: \(statistics.packets) packets, \(statistics.tcpPackets) TCP, \(sessions) milter sessions, "
                + "\(statistics.ignoredStreams) other TCP streams, \(statistics.fragments) IP fragments, "
                + "\(statistics.undecodablePackets) undecodable packets"
        ]
        for issue in captureIssues { lines.append("  !  #\(issue.packet ?? 0)  \(issue)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first line of a session's transcript.
    func appendHeader(_ info: CapturedSessionInfo, to output: inout [UInt8]) {
        output += "session stream ".utf8
        TimestampFormatting.appendDigits(UInt64(info.stream.index), width: 1, to: &output)
        output += ": MTA ".utf8
        appendEndpoint(info.mta, to: &output)
        output += " -> milter ".utf8
        appendEndpoint(info.milter, to: &output)
        output += info.identifiedBy == .port ? " (port, ".utf8 : " (OPTNEG, ".utf8
        output += info.handshakeSeen ? "handshake) ".utf8 : "no handshake) ".utf8
        TimestampFormatting.appendRFC3339(info.startTimestamp, to: &output)
        output.append(10)
    }

    /// ``Endpoint/description`` as bytes; an IPv4 one without building strings.
    private func appendEndpoint(_ endpoint: Endpoint, to output: inout [UInt8]) {
        guard case .v4(let address) = endpoint.address else { return output += endpoint.description.utf8 }
        _ = LineWriter.append(to: &output, reserving: 21) { writer in
            var shift: UInt32 = 24
            while true {
                writer.decimal(UInt64((address >> shift) & 0xFF))
                writer.byte(shift == 0 ? UInt8(ascii: ":") : UInt8(ascii: "."))
                if shift == 0 { break }
                shift -= 8
            }
            writer.decimal(UInt64(endpoint.port))
            return true
        }
    }

    /// Appends one frame's line, built as bytes: transcripts of large captures are mostly these lines.
    func appendLine(_ frame: CapturedFrame, start: CaptureTimestamp, to output: inout [UInt8]) {
        appendLineStart(frame, start: start, to: &output)
        appendDescription(FrameDescription(frame), to: &output)
        appendLineEnd(frame, to: &output)
    }

    /// A frame line up to the frame's description: time offset, sender, packets, and whether it is cut.
    func appendLineStart(_ frame: CapturedFrame, start: CaptureTimestamp, to output: inout [UInt8]) {
        appendLineStart(
            frame.direction, frame.firstPacket, frame.lastPacket, at: frame.timestamp, start: start, to: &output)
        if !frame.isComplete { output += "TRUNCATED ".utf8 }
    }

    /// The start of a complete frame's line from its parts.
    func appendLineStart(
        _ direction: FrameDirection, _ firstPacket: Int, _ lastPacket: Int, at timestamp: CaptureTimestamp,
        start: CaptureTimestamp, to output: inout [UInt8]
    ) {
        _ = LineWriter.append(to: &output, reserving: 96) {
            writeLineStart(direction, (firstPacket, lastPacket), at: timestamp, start: start, to: &$0)
            return true
        }
    }

    /// A frame line up to its description: time offset, sender, and the packets, padded to 8 columns with at
    /// least one space. At most 96 bytes.
    func writeLineStart(
        _ direction: FrameDirection, _ packets: (first: Int, last: Int), at timestamp: CaptureTimestamp,
        start: CaptureTimestamp, to writer: inout LineWriter
    ) {
        writer.text("  ")
        writer.offset(from: start, to: timestamp)
        writer.text(direction == .fromMTA ? "  MTA    #" : "  milter #")
        let packetsStart = writer.count - 1
        writer.signed(packets.first)
        if packets.first != packets.last {
            writer.byte(UInt8(ascii: "-"))
            writer.signed(packets.last)
        }
        writer.spaces(max(1, 8 - (writer.count - packetsStart)))
    }

    /// The name and the fields.
    func appendDescription(_ description: FrameDescription, to output: inout [UInt8]) {
        output += description.name.utf8
        for field in description.fields {
            output.append(32)
            output += field.name.utf8
            output.append(UInt8(ascii: "="))
            append(field.value, to: &output)
        }
    }

    /// The rest of a frame line after its description.
    func appendLineEnd(_ frame: CapturedFrame, to output: inout [UInt8]) {
        if frame.afterResynchronisation { output += "  (after resynchronisation)".utf8 }
        output.append(10)
    }

    /// One issue's line.
    func appendIssueLine(_ issue: CaptureIssue, to output: inout [UInt8]) {
        output += "  !          ".utf8
        output += padded(issue.direction?.description ?? "", 7).utf8
        output += padded(issue.packet.map { "#\($0)" } ?? "", 8).utf8
        output += issue.description.utf8
        output.append(10)
    }

    /// A field value as a transcript shows it.
    func format(_ value: FrameDescription.Value) -> String {
        var output: [UInt8] = []
        append(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func append(_ value: FrameDescription.Value, to output: inout [UInt8]) {
        switch value {
        case .number(let number): output += String(number).utf8
        case .flags(let mask, let names): output += "0x\(String(mask, radix: 16))<\(names)>".utf8
        case .text(let bytes): TextEscaping.appendQuoted(bytes, limit: textExcerptLength, to: &output)
        case .texts(let list):
            output.append(UInt8(ascii: "["))
            for (index, item) in list.enumerated() {
                if index > 0 { output += ", ".utf8 }
                TextEscaping.appendQuoted(item, limit: textExcerptLength, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .pairs(let pairs):
            output.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { output += ", ".utf8 }
                TextEscaping.appendQuoted(pair.name, to: &output)
                output += ": ".utf8
                TextEscaping.appendQuoted(pair.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .bytes(let bytes):
            output += "\(bytes.readableBytes)B:".utf8
            TextEscaping.appendQuoted(bytes.readableBytesView, limit: byteExcerptLength, to: &output)
        }
    }

    private func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }
}

/// What a session's last transcript line counts, and whether every frame was captured whole and decoded.
struct TranscriptCounts {
    var commands = 0
    var replies = 0
    var issues = 0
    var clean = true

    /// Counts a frame line.
    mutating func count(_ frame: CapturedFrame) {
        count(frame.direction)
        if case .invalid = frame.decoded { clean = false } else if !frame.isComplete { clean = false }
    }

    /// Counts the line of a frame that is complete and valid.
    mutating func count(_ direction: FrameDirection) {
        if direction == .fromMTA { commands += 1 } else { replies += 1 }
    }
}
