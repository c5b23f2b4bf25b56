extension TranscriptRenderer {
    /// The transcript of a session seen live, ending with a newline: the lines of a captured session's
    /// transcript, between a header and a footer that say it is live.
    ///
    /// ```text
    /// session 1: MTA -> milter 127.0.0.1:7044 (live; #N is the Nth frame) 2026-12-05T10:00:00.000000000Z
    ///   +0.000210  MTA    #1      OPTNEG version=6 actions=0x1ff<...> protocol=0x1fffff<...>
    ///   +0.000530  milter #2      OPTNEG version=6 actions=0x1<ADDHDRS> protocol=0x0<none>
    /// end of session 1: 1 commands, 1 replies, 0 issues
    /// ```
    public func render(_ session: LiveSession) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(session.entries.count * 64 + 160)
        output += "session ".utf8
        TimestampFormatting.appendDigits(UInt64(session.number), width: 1, to: &output)
        output += ": MTA -> milter \(session.milter) (live; #N is the Nth frame) ".utf8
        TimestampFormatting.appendRFC3339(session.start, to: &output)
        output.append(10)
        let counts = appendEntries(session.entries, start: session.start, to: &output)
        appendFooter("session", session.number, counts, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}

extension JSONTranscriptRenderer {
    /// One line of JSON for a session seen live, ending with a newline: `entries` (frames as in a captured session's JSON,
    /// writes them, `packets` holding the frame's number twice), `milter`, `session` (its number), `start` (RFC 3339)
    /// and `type`, `"transcript"`.
    public func render(_ session: LiveSession) -> String {
        var json = JSONWriter()
        json.beginObject()
        writeEntries(session.entries, start: session.start, into: &json)
        json.field("milter", session.milter)
        json.field("session", Int64(session.number))
        json.field("start", TimestampFormatting.rfc3339(session.start))
        json.field("type", "transcript")
        json.endObject()
        return json.output + "\n"
    }
}
