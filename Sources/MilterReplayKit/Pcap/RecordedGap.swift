import MilterCapture

/// Where the capture lost segments of the recorded milter's stream. From there on its replies cannot be told
/// apart from replies to other commands, so the steps from there on are not compared.
package struct RecordedGap: Sendable, Equatable {
    /// The first step whose replies the gap may hide (0 for OPTNEG).
    package let step: Int
    /// `gap of 5 bytes at offset 22 in the milter's stream (packet #12)`.
    package let description: String

    /// A gap at `step` described in words.
    package init(step: Int, description: String) {
        self.step = step
        self.description = description
    }

    /// The gap that `issue` reports in the milter's stream, if it is one: segments the capture does not hold.
    init?(_ issue: CaptureIssue, step: Int) {
        guard issue.direction == .fromMilter, case .missingSegments(let length) = issue.kind else { return nil }
        let size = length.map { "gap of \($0) bytes" } ?? "gap to the end of the stream"
        let offset = issue.streamOffset.map { " at offset \($0)" } ?? ""
        let packet = issue.packet.map { " (packet #\($0))" } ?? ""
        self.init(step: step, description: "\(size)\(offset) in the milter's stream\(packet)")
    }
}
