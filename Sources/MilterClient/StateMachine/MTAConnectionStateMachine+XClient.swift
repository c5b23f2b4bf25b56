import MilterProtocol

extension MTAConnectionStateMachine {
    /// The end of this milter connection at the SMTP client's XCLIENT (Postfix `smtpd.c` `xclient_cmd`): the
    /// ABORT of `helo_reset` unless XCLIENT gave a HELO name (`keepsHelo`), then `milter_disc_event`'s QUIT and the
    /// close (`milter8_disc_event`, `LIBMILTER_AUTO_DISCONNECT`). The session goes on with the new client on a new
    /// milter connection: OPTNEG, then CONNECT (``adoptSession(tls:heloGiven:)``). Nothing waits for the milter to
    /// close.
    package mutating func xclientQuitRequested(keepsHelo: Bool) -> Action {
        quit(replay: false, drains: false, keepsHelo: keepsHelo)
    }

    /// Carries the SMTP session's state over to this new milter connection after XCLIENT: the TLS session, which
    /// XCLIENT keeps (`NOT: tls_reset()`), whether the session has a HELO name (XCLIENT's `HELO=`), so that
    /// the client's next HELO, and the end of the session, reset it with an ABORT (``heloResetAborts``), and the
    /// protocol XCLIENT's `PROTO` gives: `SMTP` without one, as `xclient_cmd` sets it, until the client's EHLO.
    package mutating func adoptSession(
        tls: TLSSession?, heloGiven: Bool, smtpProtocol: XClientAttributes.SMTPProtocol = .smtp
    ) {
        context.tls = tls
        self.heloGiven = heloGiven
        self.smtpProtocol = smtpProtocol
    }
}
