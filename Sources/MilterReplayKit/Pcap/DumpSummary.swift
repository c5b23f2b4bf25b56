import MilterCapture

/// The last line of `--pcap FILE --dump --json`: what the capture held, so that a script tells a capture with no
/// milter session (exit 2, as replay) from one it could not read (exit 2, no summary line).
struct DumpSummary: Encodable {
    let type = "summary"
    /// Packets read, and the TCP ones among them.
    let packets: Int
    let tcpPackets: Int
    /// Milter sessions dumped, and those with issues or undecodable frames.
    let sessions: Int
    let sessionsWithIssues: Int
    /// TCP streams not taken as milter sessions, and those of them that look like milter traffic.
    let otherStreams: Int
    let untakenStreams: Int
    /// Why the streams that look like milter traffic were not taken; absent when there are none.
    let untakenReason: String?
    /// Of the other streams, those ignored for holding too much before they could be recognised (the capture issue
    /// `unrecognisedStreamDropped`, and a warning on standard error).
    let droppedStreams: Int
    /// Messages written by `--export-eml`; absent without it.
    let exportedMessages: Int?
    /// The exit status.
    let exitCode: Int32

    init(_ summary: CaptureDump.Summary, exported: Bool, exitCode: Int32) {
        let untaken = UntakenStreams(count: summary.statistics.milterLikeIgnoredStreams)
        packets = summary.statistics.packets
        tcpPackets = summary.statistics.tcpPackets
        sessions = summary.sessions
        sessionsWithIssues = summary.sessionsWithIssues
        otherStreams = summary.statistics.ignoredStreams
        untakenStreams = untaken?.count ?? 0
        untakenReason = untaken?.reason
        droppedStreams = summary.statistics.droppedUnrecognisedStreams
        exportedMessages = exported ? summary.exportedMessages : nil
        self.exitCode = exitCode
    }

    /// `PATH: no milter sessions found (2 streams that look like milter traffic: … give --port …)`, as replay says
    /// it, or `nil` when there were sessions.
    static func noSessions(_ summary: CaptureDump.Summary, path: String) -> String? {
        guard summary.sessions == 0 else { return nil }
        let untaken = UntakenStreams(count: summary.statistics.milterLikeIgnoredStreams).map { " (\($0))" } ?? ""
        return "\(path): no milter sessions found\(untaken)"
    }
}
