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

    /// Creates a renderer.
    public init(byteExcerptLength: Int = 48) {
        self.byteExcerptLength = byteExcerptLength
    }

    /// The whole transcript of `session`, ending with a newline.
    public func render(_ session: CapturedSession) -> String {
        var lines = [header(session.info)]
        for entry in session.entries {
            switch entry {
            case .frame(let frame): lines.append(line(frame, start: session.info.startTimestamp))
            case .issue(let issue): lines.append(line(issue))
            }
        }
        let commands = session.frames.filter { $0.direction == .fromMTA }.count
        lines.append(
            "end of \(session.info.stream): \(commands) commands, \(session.frames.count - commands) replies, "
                + "\(session.issues.count) issues")
        return lines.joined(separator: "\n") + "\n"
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

    private func header(_ info: CapturedSessionInfo) -> String {
        let how = info.identifiedBy == .port ? "port" : "OPTNEG"
        let handshake = info.handshakeSeen ? "handshake" : "no handshake"
        return "session \(info.stream): MTA \(info.mta) -> milter \(info.milter) (\(how), \(handshake)) "
            + TimestampFormatting.rfc3339(info.startTimestamp)
    }

    func line(_ frame: CapturedFrame, start: CaptureTimestamp) -> String {
        let description = FrameDescription(frame)
        let packets =
            frame.firstPacket == frame.lastPacket
            ? "#\(frame.firstPacket)" : "#\(frame.firstPacket)-\(frame.lastPacket)"
        var text = "  \(TimestampFormatting.offset(from: start, to: frame.timestamp))  "
        text += padded(frame.direction.description, 7) + padded(packets, 8)
        text += frame.isComplete ? "" : "TRUNCATED "
        text += description.name
        for field in description.fields { text += " \(field.name)=\(format(field.value))" }
        if frame.afterResynchronisation { text += "  (after resynchronisation)" }
        return text
    }

    private func line(_ issue: CaptureIssue) -> String {
        "  !          " + padded(issue.direction?.description ?? "", 7) + padded(issue.packet.map { "#\($0)" } ?? "", 8)
            + issue.description
    }

    func format(_ value: FrameDescription.Value) -> String {
        switch value {
        case .number(let number): String(number)
        case .flags(let mask, let names): "0x\(String(mask, radix: 16))<\(names)>"
        case .text(let bytes): TextEscaping.quoted(bytes)
        case .texts(let list): "[" + list.map { TextEscaping.quoted($0) }.joined(separator: ", ") + "]"
        case .pairs(let pairs):
            "{"
                + pairs.map { "\(TextEscaping.quoted($0.name)): \(TextEscaping.quoted($0.value))" }.joined(
                    separator: ", ")
                + "}"
        case .bytes(let bytes): "\(bytes.count)B:" + TextEscaping.quoted(bytes, limit: byteExcerptLength)
        }
    }

    private func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }
}
