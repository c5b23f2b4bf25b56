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
