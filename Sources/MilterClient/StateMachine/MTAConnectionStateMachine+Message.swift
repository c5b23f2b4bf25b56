import MilterProtocol

extension MTAConnectionStateMachine {
    /// The caller's whole message: every step of ``MessageCursor``, then ABORT where due, then the
    /// result. Steps follow one another without the caller: only waits for the milter come out.
    package mutating func messageRequested(_ message: MilterMessage) -> Action {
        precondition(self.message == nil, "one transaction at a time")
        context.messageID = message.messageID
        // Room for every step's record at once (MAIL, RCPT…, DATA, headers, EOH, chunks, EOM, ABORT).
        transaction.steps.reserveCapacity(
            5 + message.recipients.count + message.headerFields.count + message.wire.bodyChunks.count)
        self.message = MessageCursor(message)
        return emit(advance())
    }

    /// Runs the message's steps until one writes, or the message is done.
    mutating func advance() -> Action {
        // The cursor is moved on in place: a copy would retain every part of the message.
        while message != nil {
            guard let step = message!.next() else {
                message = nil
                return endTransaction()
            }
            let frame = message!.encodedFrame(headerLeadingSpace: keepsHeaderLeadingSpace)
            switch startTransactionStep(step, encoded: frame) {
            case .write(let bytes): return .write(bytes)
            case .done(let record): if let action = conclude(record) { return action }
            }
        }
        preconditionFailure("advance() with no message")
    }
}
