import MilterProtocol

extension MTAConnectionStateMachine {
    /// The SMTP client's STARTTLS, between transactions; `tls` is the session it starts, whose values the macros
    /// carry from then on (``MacroContext/tls``), the next HELO's first (both profiles' default HELO macros).
    ///
    /// No milter command stands for STARTTLS. Postfix (`smtpd.c` `starttls_cmd`) asks the milters for their
    /// standing reply (`milter_other_event`, no frame); after a refusal at CONNECT or HELO that reply answers
    /// STARTTLS (a 4xx one as ``MTAReplies/startTLSTempfail``) and TLS does not start. Otherwise it resets the
    /// session with `helo_reset` and `mail_reset`: the ABORT of ``heloResetAborts`` (once the session had a HELO),
    /// and the session has no HELO until the client's next one, which is then a first HELO again (no ABORT after
    /// it). Sendmail (`srvrsmtp.c`, STARTTLS) tells the milter nothing at all: it refuses STARTTLS after TEMPFAIL
    /// (``MTAReplies/startTLSTempfail``) or REJECT at CONNECT or HELO, and otherwise only sets the macros.
    ///
    /// Inside a transaction (MAIL sent, not yet ended) Sendmail answers `503 5.5.0 TLS not permitted during a
    /// mail transaction`; Postfix would abort the transaction, which MilterClient does not play: it answers the
    /// same 503 and sends nothing.
    ///
    /// The record is ABORT's: sent without reply when ABORT went, not sent otherwise, with the SMTP reply of a
    /// refused STARTTLS.
    package mutating func startTLSRequested(_ tls: TLSSession) -> Action {
        if session.phase.inTransaction || message != nil {
            return .deliverStep(
                StepRecord(
                    command: .abort, delivery: .notSent,
                    smtpReply: "503 5.5.0 TLS not permitted during a mail transaction"
                ))
        }
        if case .refused(let reply, _) = status {
            let answer = reply.hasPrefix("4") ? configuration.profile.replies.startTLSTempfail : reply
            return .deliverStep(StepRecord(command: .abort, delivery: .notSent, smtpReply: answer))
        }
        context.tls = tls
        guard configuration.profile.abortsWhenHeloIsReset else {
            return .deliverStep(StepRecord(command: .abort, delivery: .notSent))
        }
        let aborts = heloResetAborts
        heloGiven = false
        guard aborts else { return .deliverStep(StepRecord(command: .abort, delivery: .notSent)) }
        purpose = .plain
        return emit(proceed(startStep(.abort, macros: nil, ignoringStatus: true)))
    }

    /// The TLS session STARTTLS started, if any.
    package var tls: TLSSession? { context.tls }
}
