import MilterClient
import NIOConcurrencyHelpers
import NIOCore

/// What a worker keeps about its open milter connection, whichever driver carries it: the
/// messages sent, the outcome of the last one, held back until it is known whether QUIT turns up
/// a finding (when the connection is watched after QUIT, until the watch ends, while the worker
/// goes on with its next connection), and the transcript under `--verbose`.
struct SessionLedger {
    /// Messages sent on the connection.
    private(set) var used = 0
    /// The outcome held back, if any: at most one. An array, not an optional: an optional outcome is moved
    /// in and out through the runtime's value witnesses (several calls per message), an array's element
    /// by the compiler's own code.
    private var held: [MessageOutcome] = []
    private var pendingFindings: [Finding]
    /// With `--verbose`: every frame of the connection, and whether it is rendered as JSON.
    private let transcript: (frames: LiveTranscript, json: Bool)?

    /// Whether the outcomes' expectation failures show values unredacted (`--show-values`).
    private let showsValues: Bool

    /// A ledger for a connection about to open, with `configuration`'s tap set to the transcript's
    /// when `transcriptsAsJSON` asks for one.
    init(
        address: MilterAddress, configuration: inout MilterClientConfiguration, transcriptsAsJSON: Bool?,
        showsValues: Bool = false
    ) {
        self.showsValues = showsValues
        transcript = transcriptsAsJSON.map { (frames: LiveTranscript(milter: address), json: $0) }
        // Set only when there is a tap: any change unshares the configuration's storage.
        if let transcript { configuration.frameTap = transcript.frames.tap }
        pendingFindings = []
    }

    /// The connection is open: the findings of CONNECT and HELO go with its first message.
    mutating func opened(findings: [Finding]) { pendingFindings = findings }

    /// A message's result: the previous message's outcome is reported, this one's held. Under
    /// `--rate` the latency runs from the item's intended start (``WorkQueue/Item/scheduledOffset``).
    /// Otherwise it is the transaction's (MAIL to the last reply), except for a message that opened its
    /// connection (`opening`: when it began, after the start of `queue`'s run) and got none of its transaction
    /// sent, because the connection failed before MAIL (no reply to OPTNEG, CONNECT or HELO within the
    /// timeout): that message waited for the whole opening.
    mutating func sent(
        _ result: consuming TransactionResult, entry: CorpusEntry, item: WorkQueue.Item, opening: Duration?,
        startLag: Duration?, queue: WorkQueue, report: (MessageOutcome) -> Void
    ) {
        used += 1
        let steps = result.untimedSteps
        let nothingSent = steps.indices.allSatisfy { steps[$0].delivery == .notSent }
        let latency =
            item.scheduledOffset.map { queue.elapsed() - $0 }
            ?? (nothingSent ? opening.map { queue.elapsed() - $0 } : nil) ?? result.duration
        // Refused by the MTA itself (a NUL in an address): an input error, not the milter's verdict.
        let inputError = entry.holdsNUL ? EnvelopeInputError.description(of: result) : nil
        var outcome = MessageOutcome(
            sequence: item.sequence, entry: entry, result: inputError == nil ? consume result : nil,
            connectError: nil, inputError: inputError,
            connectionFindings: pendingFindings, latency: latency, showsValues: showsValues)
        outcome.startLag = startLag
        pendingFindings = []
        if held.isEmpty {
            held.append(outcome)
        } else {
            // This one held, the one held before reported.
            swap(&held[0], &outcome)
            report(outcome)
        }
    }

    /// What QUIT's findings go to: the held outcome, with the transcript rendered once the watch
    /// after QUIT (if any) has every frame; `nil` when no message was sent.
    mutating func quitHandler(
        connectionNumber number: UInt, report: @escaping @Sendable (MessageOutcome) -> Void
    ) -> (@Sendable ([Finding]) -> Void)? {
        quitReport(connectionNumber: number).map { $0.handler(report: report) }
    }

    /// The held outcome, to be reported with QUIT's findings (``QuitReport``); `nil` when no
    /// message was sent.
    mutating func quitReport(connectionNumber number: UInt) -> QuitReport? {
        guard !held.isEmpty else { return nil }
        var last = held.removeLast()
        last.finishedAt = NIODeadline.now()
        return QuitReport(outcome: last, transcript: transcript, connectionNumber: number)
    }
}

/// A connection's last outcome waiting for QUIT's findings, reported with them: at once, when the
/// connection is not watched after QUIT, or from the handler the watch calls.
struct QuitReport: Sendable {
    fileprivate var outcome: MessageOutcome
    fileprivate let transcript: (frames: LiveTranscript, json: Bool)?
    fileprivate let connectionNumber: UInt

    /// Reports the outcome with QUIT's `findings`, and the transcript under `--verbose`.
    consuming func report(with findings: [Finding], to report: (MessageOutcome) -> Void) {
        outcome.connectionFindings += findings
        if let transcript {
            outcome.transcript = transcript.frames.render(number: connectionNumber, json: transcript.json)
        }
        report(outcome)
    }

    /// A handler that reports the outcome with the findings it is called with, the first time.
    consuming func handler(report: @escaping @Sendable (MessageOutcome) -> Void) -> @Sendable ([Finding]) -> Void {
        // Moved into the box and out of it when QUIT's findings come (once): a closure capturing the outcome
        // would copy it twice, every reference in it retained and released, on every connection.
        let box = NIOLockedValueBox<QuitReport?>(consume self)
        return { findings in
            guard let quit = box.withLockedValue({ $0.take() }) else { return }
            quit.report(with: findings, to: report)
        }
    }
}
