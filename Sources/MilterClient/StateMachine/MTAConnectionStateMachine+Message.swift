import MilterProtocol

extension MTAConnectionStateMachine {
    /// The caller's whole message: every step of ``MessageCursor``, then ABORT where due, then the
    /// result. Steps follow one another without the caller: only waits for the milter come out.
    package mutating func messageRequested(_ message: MilterMessage) -> Action {
        precondition(self.message == nil, "one transaction at a time")
        context.messageID = message.messageID
        self.message = MessageCursor(message)
        return emit(advance())
    }

    /// Runs the message's steps until one writes, or the message is done.
    mutating func advance() -> Action {
        while var cursor = message {
            guard let step = cursor.next() else {
                message = nil
                return endTransaction()
            }
            message = cursor
            switch startTransactionStep(step) {
            case .write(let bytes): return .write(bytes)
            case .done(let record): if let action = conclude(record) { return action }
            }
        }
        preconditionFailure("advance() with no message")
    }
}
