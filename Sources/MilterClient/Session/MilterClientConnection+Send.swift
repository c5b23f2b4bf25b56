import MailMessage
import MilterProtocol
import NIOCore

/// A message on its way through ``MilterClientConnection/send(_:)``: the step it is at.
///
/// A class, so that the steps move it along without copying the message each time. Only the
/// connection that owns it touches it, on its event loop.
final class MessageRun {
    /// The steps of a transaction, in order.
    enum Phase {
        case mail, recipient(Int), data, header(Int), endOfHeaders, body(Int), endOfMessage, abort, result
    }

    let message: MilterMessage
    let continuation: UnsafeContinuation<TransactionResult, Never>
    var phase = Phase.mail
    /// The step whose replies are due.
    var pending: PendingStep?

    init(message: MilterMessage, continuation: UnsafeContinuation<TransactionResult, Never>) {
        self.message = message
        self.continuation = continuation
    }
}

extension MilterClientConnection {
    /// Runs a whole transaction: MAIL, RCPTs, DATA, headers, EOH, body, end of message, ABORT.
    ///
    /// The steps are those of ``mail(_:)``, ``recipient(_:)`` and the others, one after the
    /// other, with the same checks and records; but they are driven from the socket's event loop:
    /// each reply is handled, and the next command written, as it arrives. The caller suspends
    /// once for the whole message instead of once per step.
    ///
    /// A connection carries one transaction at a time, as an SMTP session does: calling this
    /// while another call on the same connection is still running is a programming error.
    public func send(_ message: MilterMessage) async -> TransactionResult {
        precondition(run == nil, "MilterClientConnection: one transaction at a time")
        context.messageID = message.messageID
        installEventHandler()
        return await withUnsafeContinuation { continuation in
            run = MessageRun(message: message, continuation: continuation)
            advance()
        }
    }

    /// Has the inbox hand this connection the events of ``send(_:)``'s steps, on the event loop.
    private func installEventHandler() {
        guard !eventHandlerInstalled else { return }
        eventHandlerInstalled = true
        channel.setEventHandler { [weak self] event in
            // The inbox calls on the channel's event loop, which is this actor's executor.
            self?.assumeIsolated { $0.handle(event) }
        }
    }

    /// Takes an event for the step that waits.
    private func handle(_ event: InboxEvent) {
        guard let current = run, var pending = current.pending else { return }
        if let record = settle(&pending, with: event) {
            complete(record, sent: true)
        } else {
            current.pending = pending
        }
        advance()
    }

    /// Runs steps until one waits for the milter, or the message is done.
    private func advance() {
        while let current = run {
            if var pending = current.pending {
                guard let event = channel.poll() else {
                    channel.waitForHandler(timeout: pending.timeout)
                    return
                }
                if let record = settle(&pending, with: event) {
                    complete(record, sent: true)
                } else {
                    current.pending = pending
                }
                continue
            }
            guard let command = begin(current) else { continue }
            if case .abort = current.phase {
                start(command, macros: nil)
            } else if let record = stepAfterEnding(command.id) {
                complete(record, sent: false)
            } else {
                start(command, macros: MacroEvent(command: command.id))
            }
        }
    }

    private func start(_ command: MilterCommand, macros event: MacroEvent?) {
        switch startStep(command, macros: event) {
        case .done(let record): complete(record, sent: true)
        case .awaiting(let pending): run?.pending = pending
        }
    }

    /// Does what comes before the step of the current phase and returns its command, or `nil`
    /// when the phase has no step (past the last recipient, header or chunk; no ABORT due; the
    /// result delivered).
    private func begin(_ current: MessageRun) -> MilterCommand? {
        let message = current.message
        let next: MessageRun.Phase
        switch current.phase {
        case .mail:
            beginMail(message.sender)
            return .mail(message.sender)
        case .recipient(let index):
            guard index == message.recipients.count else {
                context.recipient = message.recipients[index]
                return .recipient(message.recipients[index])
            }
            next = .data
        case .data:
            beginData()
            return .data
        case .header(let index):
            guard index == message.headerFields.count else {
                return headerCommand(message.headerFields[index], prepared: message.wire.headers[index])
            }
            next = .endOfHeaders
        case .endOfHeaders:
            return .endOfHeaders
        case .body(let index):
            if index == 0 { beginBody(message.wire.body) }
            if index < message.wire.bodyChunks.count { return .body(message.wire.bodyChunks[index]) }
            next = .endOfMessage
        case .endOfMessage:
            return .endOfMessage(ByteBuffer())
        case .abort:
            if needsAbort { return .abort }
            next = .result
        case .result:
            run = nil
            current.continuation.resume(returning: closeTransaction())
            return nil
        }
        current.phase = next
        return nil
    }

    /// Records a step's outcome and moves to the next phase.
    private func complete(_ record: StepRecord, sent: Bool) {
        guard let current = run else { return }
        current.pending = nil
        switch current.phase {
        case .abort: transaction.collect(record)
        case .recipient: if sent { settleStep(record, recipientLevel: true) }
        default: if sent { settleStep(record, recipientLevel: false) }
        }
        switch current.phase {
        case .mail: current.phase = .recipient(0)
        case .recipient(let index):
            endRecipient(current.message.recipients[index], record)
            current.phase = .recipient(index + 1)
        case .data: current.phase = .header(0)
        case .header(let index): current.phase = .header(index + 1)
        case .endOfHeaders: current.phase = .body(0)
        case .body(let index): current.phase = bodyStops(after: record) ? .endOfMessage : .body(index + 1)
        case .endOfMessage:
            endEndOfMessage()
            current.phase = .abort
        case .abort: current.phase = .result
        case .result: break
        }
    }
}
