/// A capture checked by ``PcapReplay/prepare()`` before any milter is started.
public struct PreparedCapture: Sendable {
    /// Its sessions, held in memory for `--repeat` or `--duration`; nil when the capture is read as the replay goes.
    let held: [Result<ReplayScript, NotReplayable>]?
    /// For a held capture, its streams that look like milter traffic but were not taken.
    var untakenStreams = 0
}
