import Histogram

/// Totals of a capture replay: sessions by result, steps compared, latency per session.
struct PcapRunSummary: Sendable {
    private(set) var sessions = 0
    private(set) var same = 0
    private(set) var different = 0
    /// Sessions replayed of which no step could be compared: neither same nor different.
    private(set) var notCompared = 0
    /// Streams that looked like milter traffic but could not be taken as sessions, and why.
    var untakenStreams: UntakenStreams?
    /// Where the capture was cut short (``CaptureCut``), if it was: a warning, not a failure.
    var truncation: String?
    /// How many sessions were sent from their first replay's recording (``SessionMemos``); nil
    /// when none could be (`--no-exchange-reuse`, or a capture replayed once as it is read).
    var sessionReuse: SessionReuseCounts?
    /// Why the milter could not be reached, for a replay that stopped before any session reached it.
    var unreachable: String?
    /// How the replay ended when SIGINT or SIGTERM stopped it; nil otherwise.
    var interrupted: Interrupted?
    private(set) var notReplayable = 0
    private(set) var connectFailures = 0
    private(set) var stepsCompared = 0
    private(set) var notes = 0
    private var latencies = Histogram<UInt64>(
        highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    /// Nothing counted yet.
    init() {}

    /// Counts one session.
    mutating func add(_ outcome: SessionOutcome) {
        sessions += 1
        switch outcome.result {
        case .compared(let comparison):
            if comparison.notComparedReason != nil {
                notCompared += 1
            } else if comparison.isSame {
                same += 1
            } else {
                different += 1
            }
            stepsCompared += comparison.compared
            notes += comparison.allNotes.count
            _ = latencies.record(UInt64(max(0, outcome.latency.microseconds)))
        case .notReplayable: notReplayable += 1
        case .connectFailed: connectFailures += 1
        }
    }

    /// `interrupted by SIGINT: 12 sessions not replayed`.
    static func line(_ interrupted: Interrupted) -> String {
        interrupted.line(unit: "sessions", notDone: "not replayed", uncounted: "the rest was not replayed")
    }

    /// Sessions replayed (same, different or not compared).
    var replayed: Int { same + different + notCompared }

    /// A latency percentile in milliseconds.
    func latencyMilliseconds(percentile: Double) -> Double {
        latencies.totalCount == 0 ? 0 : Double(latencies.valueAtPercentile(percentile)) / 1000
    }

    /// The largest latency in milliseconds.
    var maximumLatencyMilliseconds: Double { latencies.totalCount == 0 ? 0 : Double(latencies.max) / 1000 }

    /// 128 + the signal when one stopped the replay,  could not be reached, 1 when a session differs, cannot be replayed or could not be
    /// compared, else 0.
    var exitCode: Int32 {
        if let interrupted { return interrupted.exitStatus }
        if unreachable != nil || connectFailures > 0 { return ExitCodes.connectFailed }
        if different > 0 || notReplayable > 0 || notCompared > 0 || sessions == 0 { return ExitCodes.mismatch }
        return ExitCodes.success
    }
}
