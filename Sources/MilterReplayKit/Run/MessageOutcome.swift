import MilterClient
import NIOCore

/// What happened to one message of the run.
package struct MessageOutcome: Sendable {
    /// The position in the run (0, 1, 2…), which orders reports.
    package let sequence: Int
    /// The message.
    package let entry: CorpusEntry
    /// The transaction, or `nil` when no milter connection could be opened or the message was an input error.
    package let result: TransactionResult?
    /// Why the milter could not be reached, if it could not.
    package let connectError: String?
    /// Why the MTA would not offer the message to the milter (``EnvelopeInputError``), if it would not: an error
    /// of the input, not of the connection.
    package let inputError: String?
    /// Findings of the connection (OPTNEG, CONNECT, HELO, QUIT) reported with this message.
    package var connectionFindings: [Finding]
    /// From the start of the transaction (or, with `--rate`, its scheduled start) to its verdict.
    package let latency: Duration
    /// With `--rate`: how long after its intended start the message actually started.
    package var startLag: Duration?
    /// When the transaction ended, for an outcome reported later than that (the last message of a
    /// connection watched after QUIT); nil: when it is reported. An `NIODeadline`, whose layout is
    /// known: a `ContinuousClock.Instant`'s is not, and made every copy of an outcome go through
    /// the runtime's value witnesses.
    package var finishedAt: NIODeadline?
    /// The manifest's expectations beyond the verdict that the result does not meet, in words.
    package let expectationFailures: [String]
    /// With `--verbose`, on the last message of each milter connection: the connection's transcript (text, or a
    /// JSON line with `--json`), ending with a newline.
    package var transcript: String?

    /// The outcome of `entry`, sent as the `sequence`th message of the run; `showsValues` shows the values in
    /// ``expectationFailures`` unredacted.
    package init(
        sequence: Int, entry: CorpusEntry, result: TransactionResult?, connectError: String?,
        inputError: String? = nil, connectionFindings: [Finding], latency: Duration, showsValues: Bool = false
    ) {
        self.sequence = sequence
        self.entry = entry
        self.result = result
        self.connectError = connectError
        self.inputError = inputError
        self.connectionFindings = connectionFindings
        self.latency = latency
        // Checked only when the manifest asks for more: unwrapping the result would copy it for every message.
        if let more = entry.moreExpectations, let result = self.result {
            expectationFailures = ManifestChecks.failures(more, result, showsValues: showsValues)
        } else {
            expectationFailures = []
        }
    }

    /// Every finding for this message.
    var findings: [Finding] { (result?.findings ?? []) + connectionFindings }

    /// The verdict, if the message reached the milter.
    package var verdict: Disposition? { result?.verdict }

    /// Whether an expectation was set and not met.
    var isMismatch: Bool {
        guard let expected = entry.expected else { return false }
        return expected != verdict
    }

    /// Why the message got no verdict: the connection error or the input error, as its row shows it.
    var error: String? { connectError ?? inputError }

    /// Whether the message counts against the exit code.
    var isFailure: Bool { isMismatch || !expectationFailures.isEmpty || !findings.isEmpty || error != nil }
}
