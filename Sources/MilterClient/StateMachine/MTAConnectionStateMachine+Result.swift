import MailMessage
import MilterProtocol

extension MTAConnectionStateMachine {
    /// The result of the transaction in progress, as the MTA would settle it.
    mutating func makeResult() -> TransactionResult {
        var state = transaction
        // Postfix holds every message after a QUARANTINE at an smtpd event; a later reason is the message's own.
        state.quarantine = (state.quarantine ?? quarantineHold).map(keptQuarantineReason)
        let duration = state.start.map { $0.duration(to: now()) } ?? .zero
        var result = TransactionResult(
            steps: state.steps, verdict: .accept, modifications: state.modifications,
            quarantineReason: state.quarantine, findings: state.findings, rejectedRecipients: state.rejectedRecipients,
            duration: duration)
        result.queueID = context.queueID
        guard let ending = state.ending else {
            // Ended before end of message with no verdict: the SMTP client gave up (RSET, QUIT).
            result.verdict = .tempfail
            result.wasAborted = true
            return result
        }
        switch ending {
        case .refused(let reply):
            result.verdict = Disposition(refusal: reply)
            result.smtpReply = reply
        case .discarded: result.verdict = .discard
        case .delivered:
            result.verdict = state.quarantine == nil ? .accept : .quarantine
            if configuration.buildsResultingMessage { result.resultingMessage = resultingMessage(state) }
        }
        return result
    }

    private func resultingMessage(_ state: TransactionState) -> ResultingMessage {
        let keepSpace = options?.protocolFlags.contains(.headerLeadingSpace) ?? false
        var editor = MessageEditor(
            ownReceived: ownReceivedHeader(state), headerFields: state.headerFields,
            sender: state.sender?.address.string ?? "<>", recipients: state.acceptedRecipients.map(\.address.string),
            body: state.body, headerLeadingSpace: keepSpace)
        for modification in state.modifications { editor.apply(modification) }
        return editor.result
    }

    /// The Received header the MTA prepends and hides from the milter (PROTOCOL.md §E), naming the protocol the
    /// SMTP client spoke (``receivedProtocol(sender:)``).
    private func ownReceivedHeader(_ state: TransactionState) -> RawHeaderField {
        let address = client.address ?? "unknown"
        let product = configuration.profile.family == .postfix ? "Postfix" : "Sendmail"
        var value = " from \(client.helo) (\(client.hostname) [\(address)])\r\n\tby \(configuration.identity.hostname)"
        value += " (\(product)) with \(receivedProtocol(sender: state.sender)) id \(context.queueID ?? "unknown")"
        if state.acceptedRecipients.count == 1, let only = state.acceptedRecipients.first {
            value += "\r\n\tfor \(only.address.string)"
        }
        value += "; \(configuration.receivedDate())"
        return RawHeaderField(name: "Received", value: value)
    }
}

extension MTAConnectionStateMachine {
    /// A QUARANTINE reason as far as the MTA keeps it (``MTAProfile/quarantineReasonLimit``).
    func keptQuarantineReason(_ reason: String) -> String {
        guard let limit = configuration.profile.quarantineReasonLimit, reason.utf8.count > limit else { return reason }
        return String(decoding: reason.utf8.prefix(limit), as: UTF8.self)
    }
}
