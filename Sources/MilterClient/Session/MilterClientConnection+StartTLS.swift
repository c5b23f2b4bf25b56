extension MilterClientConnection {
    /// The SMTP client's STARTTLS, between transactions, starting `tls`: from then on the macros carry its
    /// values, the next HELO's first. With the Postfix profile a session that had a HELO sends the milter an ABORT
    /// (`helo_reset`) and counts as having none until the client's next HELO; with Sendmail's the milter gets
    /// nothing. After a refusal at CONNECT or HELO STARTTLS gets that refusal as its reply and TLS does not start.
    /// The record is ABORT's (see `MTAConnectionStateMachine.startTLSRequested(_:)`).
    @discardableResult
    public func startTLS(_ tls: TLSSession = TLSSession()) async -> StepRecord {
        await driveStep(machine.startTLSRequested(tls))
    }

    /// The TLS session ``startTLS(_:)`` started, if any.
    public var tls: TLSSession? { machine.tls }

    /// The family of the profile in force.
    package var profileFamily: MTAProfile.Family { configuration.profile.family }
}

extension MilterClientConnection {
    /// Ends this milter connection as Postfix does at the SMTP client's XCLIENT: ABORT unless XCLIENT gave a HELO
    /// name (`keepsHelo`) or the session had no HELO, QUIT, and the close, without waiting for the milter. The
    /// session goes on with the new client on a new connection (``adoptSession(tls:heloGiven:)``, then
    /// ``connect()``). Call it between transactions: Postfix refuses XCLIENT inside one.
    package func quitForXClient(keepsHelo: Bool) async -> [Finding] {
        let finding = await driveFinding(machine.xclientQuitRequested(keepsHelo: keepsHelo))
        return finding.map { [$0] } ?? []
    }

    /// Takes over the SMTP session of the connection XCLIENT ended: its TLS session, and whether XCLIENT gave a
    /// HELO name (the next HELO and the end of the session then reset it with an ABORT).
    package func adoptSession(tls: TLSSession?, heloGiven: Bool) {
        machine.adoptSession(tls: tls, heloGiven: heloGiven)
    }
}
