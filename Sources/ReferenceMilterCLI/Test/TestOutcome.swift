import MilterClient
import MilterProtocol

/// What the played Postfix made of the milter's answers for one message: the verdict, and the step and
/// reply that decided it.
package struct TestOutcome {
    /// The MTA's verdict: accept, reject, tempfail, discard or quarantine.
    package var verdict: String
    /// The command whose final reply decided the message: end of message, or an earlier event.
    package var stage: MilterCommand.ID
    /// That reply, as the milter sent it; TEMPFAIL, the MTA's default action, when the milter would have closed
    /// the connection (``init(connectionClosedAt:)``).
    package var final: MilterReply
    /// The SMTP reply the MTA gives for it, as the SMTP client sees it (a REPLYCODE's `%%` undone);
    /// `nil` when the step just continued.
    package var smtpReply: String?
    /// The modifications, in the order received.
    package var modifications: [MilterReply]
    /// Whether the session agreed on HDR_LEADSPC: header values in ``modifications`` then bring the
    /// space after the colon themselves.
    package var headerLeadingSpace = false
    /// The quarantine reason, if the milter quarantined the message.
    package var quarantine: String?
    /// Recipients refused at RCPT (with angle brackets), with the reply.
    package var refusedRecipients: [String: MilterReply]
    /// The SMTP reply for each of ``refusedRecipients`` the MTA gave one for, as the SMTP client sees it.
    package var refusedRecipientReplies: [String: String]

    /// Reads the outcome from the steps before the transaction (CONNECT, HELO) and the transaction's result.
    ///
    /// The deciding step is the last one that got a final reply: later steps were not sent. The steps
    /// of `result` name no recipient; the RCPT steps come in the order of `recipients`.
    ///
    /// When the milter refused every recipient, Postfix answers each RCPT with the milter's reply and DATA
    /// with its own `554 5.5.1 Error: no valid recipients`, which MilterClient reports as a reject; the verdict
    /// here is the milter's: a tempfail when every refusal was temporary (4xx: a failing early check's
    /// failure verdict, say), as the SMTP client would retry every recipient.
    package init(opening: [StepRecord], result: TransactionResult, recipients: [EnvelopeAddress]) {
        verdict = result.verdict.rawValue
        modifications = result.modifications
        quarantine = result.quarantineReason
        stage = .endOfMessage
        final = .continue
        refusedRecipients = [:]
        refusedRecipientReplies = [:]
        var unmatched = recipients[...]
        for record in opening + result.steps where record.command != .abort {
            let recipient = record.command == .recipient ? unmatched.popFirst() : nil
            guard record.delivery == .awaited, let reply = record.finalReply else { continue }
            stage = record.command
            final = reply
            smtpReply = record.smtpReply
            if let recipient, reply.isRefusal {
                refusedRecipients[recipient.address.string] = reply
                refusedRecipientReplies[recipient.address.string] = record.smtpReply
            }
        }
        if result.verdict == .reject, stage == .recipient, !refusedRecipients.isEmpty,
            refusedRecipients.values.allSatisfy(\.isTemporaryRefusal)
        {
            verdict = Disposition.tempfail.rawValue
        }
    }
}

extension TestOutcome {
    /// The outcome of a message with a frame the milter refuses (``FrameTooLarge``): the milter closes the
    /// connection at `stage`, and the MTA applies its default action (Postfix's `milter_default_action`,
    /// tempfail by default).
    package init(connectionClosedAt stage: MilterCommand.ID) {
        verdict = Disposition.tempfail.rawValue
        self.stage = stage
        final = .tempfail
        modifications = []
        refusedRecipients = [:]
        refusedRecipientReplies = [:]
    }
}

extension MilterReply {
    /// Whether the reply refuses for now: TEMPFAIL, or a REPLYCODE with a 4xx code.
    fileprivate var isTemporaryRefusal: Bool {
        switch self {
        case .tempfail: true
        case .replyCode(let text): text.string.hasPrefix("4")
        default: false
        }
    }

    /// Whether the reply refuses what it answers: REJECT, TEMPFAIL or REPLYCODE.
    fileprivate var isRefusal: Bool {
        switch self {
        case .reject, .tempfail, .replyCode: true
        default: false
        }
    }
}
