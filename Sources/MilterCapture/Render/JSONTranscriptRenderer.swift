/// Renders captured sessions as JSON, one object per session on one line (JSON Lines), for machines.
///
/// Each object holds `stream`, `mta`, `milter`, `identifiedBy`, `handshakeSeen`, `start` (RFC 3339) and
/// `entries`: frames (`type: "frame"`, `offsetSeconds`, `direction`, `packets`, `streamOffset`, `name`, `fields`,
/// `complete`) and issues (`type: "issue"`, `direction`, `packet`, `message`). Strings that are not valid
/// UTF-8 are written as `{"base64": ...}`.
public struct JSONTranscriptRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// One line of JSON for `session`, ending with a newline.
    public func render(_ session: CapturedSession) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("stream", Int64(session.info.stream.index))
        json.field("mta", session.info.mta.description)
        json.field("milter", session.info.milter.description)
        json.field("identifiedBy", session.info.identifiedBy == .port ? "port" : "optionNegotiation")
        json.field("handshakeSeen", session.info.handshakeSeen)
        json.field("start", TimestampFormatting.rfc3339(session.info.startTimestamp))
        writeEntries(session.entries, start: session.info.startTimestamp, into: &json)
        json.endObject()
        return json.output + "\n"
    }

    /// The `entries` array.
    func writeEntries(_ entries: [SessionEntry], start: CaptureTimestamp, into json: inout JSONWriter) {
        json.beginArray("entries")
        for entry in entries {
            switch entry {
            case .frame(let frame): write(frame, start: start, into: &json)
            case .issue(let issue): write(issue, into: &json)
            }
        }
        json.endArray()
    }

    private func write(_ frame: CapturedFrame, start: CaptureTimestamp, into json: inout JSONWriter) {
        let description = FrameDescription(frame)
        json.beginObject()
        json.field("type", "frame")
        let offset = TimestampFormatting.offset(from: start, to: frame.timestamp)
        json.field("offsetSeconds", number: offset.hasPrefix("+") ? String(offset.dropFirst()) : offset)
        json.field("direction", frame.direction.description)
        json.beginArray("packets")
        json.field(nil, Int64(frame.firstPacket))
        json.field(nil, Int64(frame.lastPacket))
        json.endArray()
        json.field("streamOffset", frame.streamOffset)
        json.field("command", String(UnicodeScalar(frame.frame.command)))
        json.field("name", description.name)
        json.field("complete", frame.isComplete)
        json.field("afterResynchronisation", frame.afterResynchronisation)
        json.beginObject("fields")
        for field in description.fields { write(field.value, key: field.name, into: &json) }
        json.endObject()
        json.endObject()
    }

    private func write(_ value: FrameDescription.Value, key: String, into json: inout JSONWriter) {
        switch value {
        case .number(let number): json.field(key, Int64(truncatingIfNeeded: number))
        case .flags(let mask, _): json.field(key, Int64(mask))
        case .text(let bytes): json.field(key, bytes: bytes)
        case .bytes(let bytes): json.field(key, bytes: Array(bytes.readableBytesView))
        case .texts(let list):
            json.beginArray(key)
            for item in list { json.field(nil, bytes: item) }
            json.endArray()
        case .pairs(let pairs):
            json.beginArray(key)
            for pair in pairs {
                json.beginArray()
                json.field(nil, bytes: pair.name)
                json.field(nil, bytes: pair.value)
                json.endArray()
            }
            json.endArray()
        }
    }

    private func write(_ issue: CaptureIssue, into json: inout JSONWriter) {
        json.beginObject()
        json.field("type", "issue")
        json.field("kind", issue.kind.name)
        if let direction = issue.direction { json.field("direction", direction.description) }
        if let packet = issue.packet { json.field("packet", Int64(packet)) }
        if let offset = issue.streamOffset { json.field("streamOffset", offset) }
        json.field("message", issue.description)
        json.endObject()
    }
}
