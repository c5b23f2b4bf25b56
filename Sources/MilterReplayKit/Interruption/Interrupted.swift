/// How a run that SIGINT or SIGTERM stopped ended (``RunInterruption``): the signal, the work never started and
/// the work cut in flight.
package struct Interrupted: Sendable, Hashable {
    /// The first signal received.
    package var signal: Int32
    /// The messages, sessions or cases never started; `nil` when the run is not counted (a duration without a
    /// rate, a capture read as it is replayed).
    package var notStarted: Int?
    /// Those in flight that had not ended ``RunInterruption/drainBound`` after the signal: cut, and not reported.
    package var cut = 0

    package init(signal: Int32, notStarted: Int?, cut: Int = 0) {
        self.signal = signal
        self.notStarted = notStarted
        self.cut = cut
    }

    /// `SIGINT` or `SIGTERM`.
    package var signalName: String { RunInterruption.name(signal) }

    /// The exit status: 130 for SIGINT, 143 for SIGTERM.
    package var exitStatus: Int32 { RunInterruption.exitStatus(signal) }

    /// `interrupted by SIGINT: 120 messages not sent`, `interrupted by SIGTERM: the rest of the duration was not
    /// run, 2 messages cut in flight`; `unit` names the work (`messages`), `notDone` what was not done to it (`not
    /// sent`), `uncounted` what is said when it is not counted.
    package func line(unit: String, notDone: String, uncounted: String) -> String {
        var text = "interrupted by \(signalName): " + (notStarted.map { "\($0) \(unit) \(notDone)" } ?? uncounted)
        if cut > 0 { text += ", \(cut) \(unit) cut in flight" }
        return text
    }

    /// The `interrupted` object of the JSON summaries.
    package var record: Record { Record(signal: signalName, notStarted: notStarted, cut: cut) }

    /// The `interrupted` object of the JSON summaries: `{"cut":0,"notStarted":120,"signal":"SIGINT"}`.
    package struct Record: Codable, Sendable {
        let signal: String
        /// Absent when not counted.
        let notStarted: Int?
        let cut: Int
    }
}
