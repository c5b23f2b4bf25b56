/// TCP streams of a capture that look like milter traffic but were not taken as sessions: the capture
/// starts in the middle of them, so no OPTNEG identifies them, and no `--port` names their milter.
struct UntakenStreams: Sendable, Hashable, CustomStringConvertible {
    /// How many.
    let count: Int

    /// Why they were not taken, and how to take them.
    var reason: String {
        "the capture starts mid-stream (no OPTNEG to identify them); give --port with the milter's port to replay them"
    }

    /// `2 streams that look like milter traffic: the capture starts mid-stream …`, or nil for none.
    init?(count: Int) {
        guard count > 0 else { return nil }
        self.count = count
    }

    var description: String {
        "\(count) stream\(count == 1 ? "" : "s") that look\(count == 1 ? "s" : "") like milter traffic: \(reason)"
    }
}
