import MilterClient

/// What happened to one message of the run.
struct MessageOutcome: Sendable {
    /// The position in the run (0, 1, 2…), which orders reports.
    let sequence: Int
    /// The message.
    let entry: CorpusEntry
    /// The transaction, or `nil` when no milter connection could be opened.
    let result: TransactionResult?
    /// Why the milter could not be reached, if it could not.
    let connectError: String?
    /// Findings of the connection (OPTNEG, CONNECT, HELO, QUIT) reported with this message.
    var connectionFindings: [Finding]
    /// From the start of the transaction (or, with `--rate`, its scheduled start) to its verdict.
    let latency: Duration

    /// Every finding for this message.
    var findings: [Finding] { (result?.findings ?? []) + connectionFindings }

    /// The verdict, if the message reached the milter.
    var verdict: Verdict? { result?.verdict }

    /// Whether an expectation was set and not met.
    var isMismatch: Bool {
        guard let expected = entry.expected else { return false }
        return expected != verdict
    }

    /// Whether the message counts against the exit code.
    var isFailure: Bool { isMismatch || !findings.isEmpty || connectError != nil }
}
