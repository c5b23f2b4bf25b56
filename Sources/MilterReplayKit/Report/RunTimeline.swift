/// Messages per second of a run, for the report's throughput and latency-over-time charts: one
/// bucket per second since the start, each with its count, failures and latency sum and maximum.
package struct RunTimeline: Sendable {
    package struct Second: Sendable, Equatable {
        package var messages = 0
        package var failures = 0
        package var latencySumMilliseconds = 0.0
        package var latencyMaximumMilliseconds = 0.0

        /// The mean latency of the second's messages.
        package var meanLatencyMilliseconds: Double { messages == 0 ? 0 : latencySumMilliseconds / Double(messages) }
    }

    /// The longest run the timeline follows second by second (a day); later messages go in the last bucket.
    static let maximumSeconds = 86_400

    package private(set) var seconds: [Second] = []

    package init() {}

    /// Counts a message that finished `elapsed` after the start of the run.
    package mutating func record(finishedAfter elapsed: Duration, latency: Duration, failed: Bool) {
        let index = min(Int(max(0, elapsed.components.seconds)), Self.maximumSeconds - 1)
        if seconds.count <= index {
            seconds.append(contentsOf: repeatElement(Second(), count: index + 1 - seconds.count))
        }
        let milliseconds = latency.milliseconds
        seconds[index].messages += 1
        if failed { seconds[index].failures += 1 }
        seconds[index].latencySumMilliseconds += milliseconds
        seconds[index].latencyMaximumMilliseconds = max(seconds[index].latencyMaximumMilliseconds, milliseconds)
    }
}
