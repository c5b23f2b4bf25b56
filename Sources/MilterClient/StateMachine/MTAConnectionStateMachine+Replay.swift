import MilterProtocol

extension MTAConnectionStateMachine {
    /// The caller's recorded command, with the MACRO packets recorded before it (see
    /// ``MilterClientConnection/replay(_:macros:)``): sent as recorded, adapted to this milter's
    /// negotiation and to how it ended the transaction. With `frames`, the command's and the MACRO
    /// packets' frames are copied from there instead of encoded.
    package mutating func replayRequested(
        _ command: MilterCommand, macros: [MacroDefinition], frames: ReplayFrames? = nil
    ) -> Action {
        let id = command.id
        switch id {
        case .optionNegotiation, .macro:
            return .deliverStep(StepRecord(command: id, delivery: .notSent))
        case .quit:
            return quit(replay: true)
        case .mail:
            // The recording may lack the ABORT an MTA sends when a message ends early (Sendmail sends
            // it only to a milter still in the message).
            guard socketOpen, status == .open, session.phase.inTransaction else {
                return emit(replayMail(command, macros: macros, frames: frames))
            }
            guard configuration.profile.abortsAfterEveryTransaction || transaction.sendmailSendsAbort else {
                session.transactionEndedWithoutAbort()
                return emit(replayMail(command, macros: macros, frames: frames))
            }
            purpose = .abortBeforeReplayedMail(command, macros)
            return emit(proceed(startStep(.abort, sending: [])))
        case .recipient, .data, .header, .endOfHeaders, .body, .endOfMessage:
            if id != .recipient, transaction.ending == nil, !transaction.hasAcceptedRecipient {
                transaction.ending = .refused(configuration.profile.replies.noValidRecipients)
            }
            return emit(replayTransactionStep(command, macros: macros, frames: frames))
        case .abort, .connect, .helo, .unknown, .quitNewConnection:
            // A recording does not say HELO or EHLO (the milter gets HELO for both): taken for a client's EHLO.
            if id == .helo { greeted(extended: true) }
            purpose = .plain
            return emit(proceed(startStep(command, sending: sendsMacros(before: id) ? macros : [], frames: frames)))
        }
    }

    /// A replayed MAIL: a fresh transaction.
    mutating func replayMail(_ command: MilterCommand, macros: [MacroDefinition], frames: ReplayFrames? = nil) -> Action
    {
        transaction = TransactionState()
        transaction.start = now()
        return replayTransactionStep(command, macros: macros, frames: frames)
    }

    private mutating func replayTransactionStep(
        _ command: MilterCommand, macros: [MacroDefinition], frames: ReplayFrames?
    ) -> Action {
        let id = command.id
        if let ending = transaction.ending {
            var record = StepRecord(command: id, delivery: .notSent)
            if case .refused(let reply) = ending { record.smtpReply = reply }
            transaction.steps.append(record)
            return .deliverStep(record)
        }
        // The address a Sendmail refusal quotes (``stepEffect(_:at:)``); the recording has no other.
        switch command {
        case .mail(let sender): transaction.sender = sender
        case .recipient(let recipient): transaction.recipient = recipient
        default: break
        }
        purpose = .replayedTransaction(id)
        return proceed(startStep(command, sending: sendsMacros(before: id) ? macros : [], frames: frames))
    }

    /// Records a replayed transaction step and applies its verdict.
    mutating func replayed(_ id: MilterCommand.ID, _ record: StepRecord) -> Action {
        transaction.collect(record)
        apply(record, recipientLevel: id == .recipient)
        if id == .endOfMessage, transaction.ending == nil { transaction.ending = .delivered }
        return .deliverStep(record)
    }
}

extension TransactionState {
    /// Whether a recipient of the transaction was not refused (skipped or NR recipients count as
    /// accepted). On the transaction, not the machine: a getter of the machine, called from one of
    /// its mutating steps, would work on a copy of all of it.
    /// The records are looked at in place, one field at a time: handing each to a closure copied it
    /// (this is asked at every replayed step after RCPT).
    fileprivate var hasAcceptedRecipient: Bool {
        for index in steps.indices where steps[index].command == .recipient {
            if steps[index].smtpReply == nil || steps[index].finding?.severity == .error { return true }
        }
        return false
    }
}
