extension MTAConnectionStateMachine {
    /// Whether resetting the SMTP session's HELO now sends the milter an ABORT, as Postfix's `helo_reset`
    /// (`smtpd.c`) does through `milter_abort`, at a second HELO and at the end of the session before
    /// `milter_disc_event`'s QUIT (``MTAProfile/abortsWhenHeloIsReset``). Only once the session had a HELO
    /// (`helo_name`), and only to a milter still in the session: `milter8_abort` (`milter8.c`) writes ABORT in the
    /// states `ENVELOPE`, `MESSAGE` and `ACCEPT_MSG`, not after ACCEPT, REJECT, TEMPFAIL or REPLYCODE at CONNECT
    /// or HELO (`ACCEPT_CON`, `REJECT_CON`), SHUTDOWN or a failure, all of which close the socket or the
    /// session's phase. A 421 from MAIL on leaves the milter in `ENVELOPE`: it gets this ABORT too.
    var heloResetAborts: Bool {
        mutating get {
            guard configuration.profile.abortsWhenHeloIsReset, heloGiven, socketOpen, !closeDue else { return false }
            return session.phase >= .connection && session.phase < .closed
        }
    }

    /// Whether the end of the session sends one more ABORT for a transaction the SMTP client left unfinished
    /// (QUIT or a close after MAIL, before the end of the message), as Postfix's `mail_reset` does after `helo_reset`:
    /// `SMTPD_FLAG_NEED_MILTER_ABORT` is still set, and `helo_reset`'s ABORT left the milter in `ENVELOPE`, where
    /// `milter8_abort` writes (``MTAProfile/abortsWhenHeloIsReset`` marks Postfix's way).
    var mailResetAborts: Bool {
        mutating get {
            guard configuration.profile.abortsWhenHeloIsReset, socketOpen, !closeDue else { return false }
            return session.phase.inTransaction
        }
    }

    /// After a second HELO's reply: the ABORT of its `helo_reset` if due, then `helo`, the HELO's record. `helo_cmd`
    /// resets only a HELO it answers with 250: not one refused because the session is over (a 421 from MAIL on).
    mutating func abortAfterHelo(_ helo: StepRecord) -> Action {
        guard helo.smtpReply == nil, heloResetAborts else { return .deliverStep(helo) }
        purpose = .abortAfterHelo(helo)
        return proceed(startStep(.abort, macros: nil, ignoringStatus: true))
    }
}
