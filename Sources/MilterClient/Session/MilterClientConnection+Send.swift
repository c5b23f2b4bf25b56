import MilterProtocol

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
        precondition(messageContinuation == nil, "MilterClientConnection: one transaction at a time")
        installEventHandler()
        return await withUnsafeContinuation { continuation in
            messageContinuation = continuation
            carryOn(run(machine.messageRequested(message)))
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

    private func handle(_ event: InboxEvent) {
        guard messageContinuation != nil else { return }
        carryOn(run(machine.eventReceived(event)))
    }

    /// Waits for the next event without suspending, or hands the result to ``send(_:)``'s caller.
    private func carryOn(_ outcome: MilterRunOutcome) {
        switch outcome {
        case .waiting(let timeout): channel.waitForHandler(timeout: timeout)
        case .transaction(let result):
            let continuation = messageContinuation
            messageContinuation = nil
            continuation?.resume(returning: result)
        case .step, .finding: preconditionFailure("a message ends with its result")
        }
    }
}
