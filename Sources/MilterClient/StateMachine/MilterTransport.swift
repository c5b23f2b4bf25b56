import MilterProtocol
import NIOCore

/// The I/O side of one milter connection, as ``MTAConnectionStateMachine/run(_:on:)`` uses it:
/// a socket on an event loop (``MilterClientConnection``), a blocking socket on a thread of its own
/// (``BlockingMilterConnection``), or a simulated milter in the tests. The rules stay in the
/// machine; a transport only moves bytes and events.
package protocol MilterTransport {
    /// The replies that came while none was awaited, in order; taking them empties the queue.
    mutating func takeStrayReplies() -> [MilterReply]

    /// Takes a step's frames. A transport may hold them until ``flush()``, so that the commands
    /// that take no reply (NR events, MACRO, ABORT) leave in one write with the next one that does,
    /// as a buffered MTA sends them. Returns a buffer whose bytes are no longer needed, for the
    /// machine to encode the next step into (``MTAConnectionStateMachine/recycle(_:)``).
    mutating func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer?

    /// The milter's next event, if the transport can have it now: one that already came, or, for
    /// a transport that blocks, one it waits for at most `timeout` (held frames are written first).
    /// `nil` stops the run, which returns ``MilterRunOutcome/waiting(_:)``.
    mutating func nextEvent(within timeout: TimeAmount) -> InboxEvent?

    /// Writes the frames held, then closes the socket.
    mutating func close()

    /// Writes the frames held: the run stops.
    mutating func flush()
}

/// What a run of ``MTAConnectionStateMachine/run(_:on:)`` came to.
package enum MilterRunOutcome {
    /// The machine waits for the milter, at most this long; the transport had no event yet.
    case waiting(TimeAmount)
    /// A step's record.
    case step(StepRecord)
    /// A transaction's result.
    indirect case transaction(TransactionResult)
    /// What QUIT, or a wait for stray replies, found.
    indirect case finding(Finding?)

    /// The step's record of a run that must end with one (a step the caller asked for).
    package var record: StepRecord {
        guard case .step(let record) = self else { preconditionFailure("a step ends with its record") }
        return record
    }

    /// The result of a run that must end with one (a whole message).
    package var result: TransactionResult {
        guard case .transaction(let result) = self else {
            preconditionFailure("a transaction ends with its result")
        }
        return result
    }

    /// The finding, or none, of a run that must end with one (QUIT, the watch after it, a wait for
    /// stray replies).
    package var foundFinding: Finding? {
        guard case .finding(let finding) = self else { preconditionFailure("expected a finding") }
        return finding
    }
}

extension MTAConnectionStateMachine {
    /// Carries out the machine's actions on `transport`, one after the other, until the machine
    /// hands something back or waits for an event the transport does not have: the one loop every
    /// driver runs. Before each write, replies nobody asked for are judged (the command then does
    /// not go); the frames of a run leave together when it stops, or before a close.
    package mutating func run<Transport: MilterTransport>(
        _ first: consuming Action, on transport: inout Transport
    ) -> MilterRunOutcome {
        var action = first
        defer { transport.flush() }
        while true {
            // Consumed: the frames of a write are then the transport's alone.
            switch consume action {
            case .write(let frames):
                let stray = transport.takeStrayReplies()
                if !stray.isEmpty {
                    action = strayRepliesFound(stray)
                    continue
                }
                // Consumed, so that the buffer handed back is referenced by the machine alone.
                if let spare = transport.enqueue(consume frames) { recycle(spare) }
                action = written()
            case .wait(let timeout):
                guard let event = transport.nextEvent(within: timeout) else { return .waiting(timeout) }
                action = eventReceived(event)
            case .close:
                transport.close()
                action = closed()
            case .deliverStep(let record): return .step(record)
            case .deliverTransaction(let result): return .transaction(result)
            case .deliverFinding(let finding): return .finding(finding)
            }
        }
    }
}
