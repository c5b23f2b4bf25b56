import MilterProtocol

/// One connection's watch after QUIT: whether it is under way, who waits for its findings, and
/// the findings once it is over.
struct QuitWatch {
    /// Whether the connection is watched now.
    var active = false
    /// Called with the watch's findings when it ends.
    var handlers: [@Sendable ([Finding]) -> Void] = []
    /// What the watch found, once over (empty when there was none).
    var findings: [Finding] = []
}
