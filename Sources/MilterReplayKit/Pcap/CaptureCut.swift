import MilterCapture

/// A capture whose last record or block is cut short (tcpdump killed, a disk full, a copy still under way): its
/// complete packets are used, and the cut is a warning, not a failure, as `tcpdump -r` has it.
package struct CaptureCut: Sendable, Hashable {
    /// The capture's path as given.
    package let path: String
    /// Where the file ends inside a record or block (``CaptureError/Kind/truncatedFile``).
    package let error: CaptureError
    /// The packets read before it.
    package let packets: Int

    /// The cut a scan met, or nil when the file ended cleanly.
    package init?(path: String, _ statistics: CaptureStatistics) {
        guard let error = statistics.truncation else { return nil }
        self.path = path
        self.error = error
        packets = statistics.packets
    }

    /// `truncated file at file offset 4880: record needs 1122 bytes, 120 remain`, for `--json`.
    package var description: String { error.description }

    /// The line for standard error.
    package var warning: String {
        "milter-replay: warning: \(path): \(error); used the \(packets) packet\(packets == 1 ? "" : "s") before it\n"
    }
}
