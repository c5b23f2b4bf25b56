import MilterClient

/// What the milter did at one step, as the checks read it.
enum StepObservation {
    /// The records of the commands the step sent (one, or one per header field or body chunk).
    case records([StepRecord])
    /// The transaction a step ended (`eom`, `abort`, `message`).
    case transaction(TransactionResult)
    /// What `listen` or `quit` found.
    case findings([Finding])
    /// What the milter did after raw bytes.
    case raw(RawWriteOutcome)
    /// Raw bytes that were not written: a verdict had ended the session.
    case notSent

    /// The protocol findings at the step.
    var findings: [Finding] {
        switch self {
        case .records(let records): records.compactMap(\.finding)
        case .transaction(let result): result.findings
        case .findings(let findings): findings
        case .raw, .notSent: []
        }
    }
}
