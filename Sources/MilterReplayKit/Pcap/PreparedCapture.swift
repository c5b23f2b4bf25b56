import Synchronization

/// A capture checked by ``PcapReplay/prepare()`` before any milter is started.
public struct PreparedCapture: Sendable {
    /// Its sessions, held in memory for `--repeat` or `--duration`; nil when the capture is read as the replay goes.
    let held: [Result<ReplayScript, NotReplayable>]?
    /// For a held capture, its streams that look like milter traffic but were not taken.
    var untakenStreams = 0
    /// For a held capture, where it was cut short, if it was.
    var cut: CaptureCut?
    /// For a held capture, its streams ignored for holding too much before they could be recognised.
    var droppedStreams: DroppedStreams?
    /// For a capture read as the replay goes, the reader that checked it, past its file header: the replay
    /// reads on from there, so that a capture read from a pipe (`--pcap /dev/stdin`) is read once.
    let opened: OpenedCapture?

    init(
        held: [Result<ReplayScript, NotReplayable>], untakenStreams: Int, cut: CaptureCut? = nil,
        droppedStreams: DroppedStreams? = nil
    ) {
        self.held = held
        self.untakenStreams = untakenStreams
        self.cut = cut
        self.droppedStreams = droppedStreams
        opened = nil
    }

    init(opened reader: consuming sending ScriptReader) {
        held = nil
        opened = OpenedCapture(reader)
    }
}

/// A capture's reader, handed once from ``PcapReplay/prepare()`` to the thread that reads the capture.
final class OpenedCapture: Sendable {
    private let reader: Mutex<ScriptReader?>

    init(_ reader: consuming sending ScriptReader) { self.reader = Mutex(reader) }

    /// The reader, the first time; nil after.
    func take() -> sending ScriptReader? { reader.withLock { $0.take() } }
}
