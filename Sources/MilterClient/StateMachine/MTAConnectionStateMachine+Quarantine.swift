import MilterProtocol

/// A QUARANTINE before end of message, as Postfix takes it (`milter8_event`, "Decision: quarantine"):
/// it keeps "H" and the reason as the milter's persistent reply (`milter8_def_reply`), reads on, and the
/// step's final reply decides the step. What follows depends on the process that sent the event.
///
/// - CONNECT, HELO, MAIL, RCPT, DATA, UNKNOWN come from smtpd. Its copy of the milter keeps the reply:
///   each later such event of the SMTP session is not sent, macros included ("attempt to send event …
///   after error"), and answers "H"; smtpd's `check_milter_reply` holds every message. HEADER, EOH,
///   BODY and end of message come from the cleanup server, whose copy of the milter (`milter8_receive`)
///   has no persistent reply: they still go, as do ABORT and QUIT.
/// - HEADER, EOH, BODY come from the cleanup server: the reply ends the message for this milter
///   (`MILTER8_MESSAGE_DONE`): no more content, no end of message, the message held unmodified.
///
/// Sendmail has no case for it before end of message: see `MTARules.passesCommand(_:afterReply:)`.
extension MTAConnectionStateMachine {
    /// Postfix's reading of a QUARANTINE among a step's replies: the finding, the hold on the
    /// connection for an smtpd event. Nothing at end of message, or with rules that refuse it there.
    mutating func takeEarlyQuarantine(_ record: inout StepRecord) {
        let id = record.command
        guard id != .endOfMessage, !session.rules.quarantineOnlyAtEndOfMessage else { return }
        guard case .quarantine(let reason)? = record.replies.last(where: { $0.id == .quarantine }) else { return }
        let consequence: String
        if Self.isSMTPServerEvent(id) {
            quarantineHold = reason.string
            consequence = "holds every message of the connection and sends no more HELO, MAIL, RCPT, DATA, UNKNOWN"
        } else {
            consequence = "holds the message and sends none of the rest of it"
        }
        let error = MilterProtocolError(
            .quarantineBeforeEndOfMessage, commandByte: MilterReply.ID.quarantine.rawValue,
            detail: "QUARANTINE after \(id): Postfix \(consequence)")
        record.finding = Finding(.protocolViolation(error), step: id)
    }

    /// The record of an event smtpd no longer sends after a QUARANTINE before the content, or `nil`
    /// to send it.
    mutating func withheldAfterQuarantine(_ id: MilterCommand.ID) -> StepRecord? {
        guard quarantineHold != nil, Self.isSMTPServerEvent(id) else { return nil }
        do {
            try session.commandWithheld(id)
        } catch {
            return nil
        }
        return StepRecord(command: id, delivery: .notSent)
    }

    /// Whether a content step's QUARANTINE ends the message, held: the step went on (CONTINUE, ACCEPT, SKIP).
    mutating func quarantineEndsMessage(_ record: StepRecord) -> Bool {
        guard !session.rules.quarantineOnlyAtEndOfMessage else { return false }
        switch record.command {
        case .header, .endOfHeaders, .body: return record.replies.contains { $0.id == .quarantine }
        default: return false
        }
    }

    /// Whether Postfix's smtpd, not its cleanup server, sends the event to the milter.
    static func isSMTPServerEvent(_ id: MilterCommand.ID) -> Bool {
        switch id {
        case .connect, .helo, .mail, .recipient, .data, .unknown: true
        default: false
        }
    }
}
