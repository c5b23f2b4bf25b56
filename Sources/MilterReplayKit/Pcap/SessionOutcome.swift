/// What became of one recorded session in a replay run.
struct SessionOutcome: Sendable {
    /// How the session fared.
    enum Result: Sendable {
        /// Replayed and compared.
        case compared(SessionComparison)
        /// Not sent: the capture lacks part of the MTA's side.
        case notReplayable(String)
        /// The milter could not be reached.
        case connectFailed(String)
    }

    /// The position in the run (0, 1, 2…); `nil` for a session that was not replayed.
    let sequence: Int?
    /// `stream 3 127.0.0.1:40000 -> 127.0.0.1:7044`.
    let label: String
    /// How it fared.
    let result: Result
    /// From connecting to the last step.
    let latency: Duration

    /// `same`, `different`, `not-compared` (no step could be compared), `not-replayable` or `error`.
    var status: String {
        switch result {
        case .compared(let comparison) where comparison.notComparedReason != nil: "not-compared"
        case .compared(let comparison): comparison.isSame ? "same" : "different"
        case .notReplayable: "not-replayable"
        case .connectFailed: "error"
        }
    }
}
