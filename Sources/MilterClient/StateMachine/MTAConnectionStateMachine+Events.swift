import MilterProtocol
import NIOCore

extension MTAConnectionStateMachine {
    /// The frames of ``Action/write(_:)`` went out.
    package mutating func written() -> Action {
        // take(): moved out, not copied (it holds a copy of the session).
        guard let out = outgoing.take() else { preconditionFailure("written() without a write") }
        lastSent = out.id
        lastWrittenWasLoneMacro = out.loneMacro
        // A reply found after end of message answers that or a later command, not an event before it.
        if out.id == .endOfMessage { lastEventWithoutReply = nil }
        guard let timeout = out.timeout else {
            if !out.loneMacro { sentWithoutReply.append(out.id) }
            if !out.loneMacro, out.id.isEvent, let options = session.options, options.sends(out.id),
                !options.awaitsReply(to: out.id)
            {
                lastEventWithoutReply = out.id
            }
            return emit(finish(StepRecord(command: out.id, delivery: out.loneMacro ? .skipped : .sentWithoutReply)))
        }
        var step = PendingStep(
            id: out.id, timeout: timeout, start: out.start, deadline: timeouts.stepDeadline)
        return awaitReply(to: &step)
    }

    /// Replies nobody asked for were waiting when a command was about to go: the command does
    /// not go, and the replies are a finding, naming the commands sent without a reply before them
    /// (``Finding/sentWithoutReply``).
    package mutating func strayRepliesFound(_ replies: [MilterReply]) -> Action {
        guard let out = outgoing.take() else { preconditionFailure("strayRepliesFound(_:) without a write") }
        // Judge the stray replies as of before this command, which never goes out.
        session = out.sessionBefore
        var finding = strayFinding(replies)
        // What went before it unanswered, as a step's finding names them; not this command, which never goes.
        finding.sentWithoutReply = sentWithoutReply
        return emit(finish(fail(out.id, finding, start: out.start)))
    }

    /// The milter's next event (a reply, a broken frame, EOF, an I/O error) or the end of a
    /// ``Action/wait(_:)``'s time.
    package mutating func eventReceived(_ event: InboxEvent) -> Action {
        switch purpose {
        case .draining(let replay): return emit(drained(event, replay: replay))
        case .listening: return emit(listened(event))
        default: break
        }
        guard var step = pending.take() else { preconditionFailure("eventReceived(_:) with no reply due") }
        guard let record = settle(&step, with: event) else { return awaitReply(to: &step) }
        return emit(finish(record))
    }

    /// Waits for the step's next reply, or ends it when its deadline has passed.
    private mutating func awaitReply(to step: inout PendingStep) -> Action {
        guard let wait = step.nextWait(at: now()) else { return emit(finish(pastDeadline(step))) }
        pending = step
        return .wait(wait)
    }

    /// The socket of ``Action/close`` is closed.
    package mutating func closed() -> Action {
        guard let next = afterClose else { preconditionFailure("closed() without a close") }
        afterClose = nil
        return next
    }

    /// Carries a started step on: its write, or its end.
    mutating func proceed(_ start: StepStart) -> Action {
        switch start {
        case .write(let bytes): .write(bytes)
        case .done(let record): finish(record)
        }
    }

    /// Ends the step in flight and says what follows: the record for the caller, or the message's next step.
    mutating func finish(_ record: StepRecord) -> Action {
        if let action = conclude(record) { return action }
        return advance()
    }

    /// Does what the step's purpose asks once it is over; `nil` when the message goes on.
    mutating func conclude(_ record: StepRecord) -> Action? {
        // Moved out rather than copied: it may hold a header field or a body chunk.
        var purpose = Purpose.none
        swap(&purpose, &self.purpose)
        switch purpose {
        case .none, .plain, .listening, .draining: return .deliverStep(record)
        case .negotiation: return negotiated(record)
        case .connection:
            if let finding = record.finding { connectionFindings.append(finding) }
            return .deliverStep(record)
        case .heloAgain:
            if let finding = record.finding { connectionFindings.append(finding) }
            return abortAfterHelo(record)
        case .abortAfterHelo(let helo):
            if let finding = record.finding { connectionFindings.append(finding) }
            return .deliverStep(helo)
        case .transaction(let step, let settles):
            complete(step, record, settles: settles)
            guard message != nil else { return .deliverStep(record) }
            let stops = bodyStops(after: record)
            message?.stepDone(bodyStops: stops)
            return nil
        case .closingAbort:
            transaction.collect(record)
            return .deliverTransaction(closeTransaction())
        case .replayedTransaction(let id): return replayed(id, record)
        case .abortBeforeReplayedMail(let command, let macros): return replayMail(command, macros: macros)
        case .quit(let replay, let drains): return quitSent(record, replay: replay, drains: drains)
        }
    }
}

extension MilterCommand.ID {
    /// An SMTP event, which the milter answers unless it negotiated an NR flag for it; not OPTNEG, MACRO, ABORT or
    /// QUIT.
    fileprivate var isEvent: Bool {
        switch self {
        case .connect, .helo, .mail, .recipient, .data, .header, .endOfHeaders, .body, .unknown: true
        default: false
        }
    }
}
