import NIOCore

extension MilterClientConnection {
    /// Plays the SMTP client's XCLIENT, as Postfix (`smtpd.c` `xclient_cmd`) does: this milter connection ends (the
    /// ABORT of `helo_reset` unless XCLIENT gives a HELO name or the session had no HELO, then QUIT and the close,
    /// without waiting for the milter), and the session goes on with the new client on a new milter connection to
    /// the same address: OPTNEG, then CONNECT with the client `attributes` make of this one's (its SASL login
    /// `LOGIN`'s, none without it) and the daemon address and port `DESTADDR` and `DESTPORT` give. The TLS session
    /// (``startTLS(_:)``) is kept; a HELO name XCLIENT gives counts as the session's, so the client's next HELO and
    /// the end of the session reset it with an ABORT. Call the new connection from then on.
    ///
    /// ```swift
    /// let next = try await connection.xclient(XClientAttributes(name: "relay.example", address: "192.0.2.7"))
    /// _ = await next.connection.helo()
    /// ```
    ///
    /// - Throws: ``XClientError/notPostfix`` under the Sendmail profile, which has no XCLIENT;
    ///   ``XClientError/insideTransaction`` inside a transaction (Postfix answers 503 and the milter gets nothing);
    ///   ``XClientError/reconnect(_:)`` when the new connection cannot be opened (this one is closed by then).
    public func xclient(_ attributes: XClientAttributes) async throws(XClientError) -> XClientOutcome {
        guard configuration.profile.family == .postfix else { throw .notPostfix }
        guard !machine.session.phase.inTransaction, machine.message == nil else { throw .insideTransaction }
        guard let reconnection else { throw .noAddress }
        let keepsHelo = attributes.helo != nil
        let findings = await quitForXClient(keepsHelo: keepsHelo)
        var nextConfiguration = configuration
        if attributes.destinationAddress != nil || attributes.destinationPort != nil {
            nextConfiguration.identity = attributes.applied(to: configuration.identity)
        }
        let next: MilterClientConnection
        do {
            next = try await MilterClientConnection.open(
                to: reconnection.address, configuration: nextConfiguration, client: attributes.applied(to: client),
                group: reconnection.group)
        } catch {
            throw .reconnect(error)
        }
        await next.adoptSession(tls: tls, heloGiven: keepsHelo, smtpProtocol: attributes.smtpProtocol ?? .smtp)
        let connect = await next.connect()
        return XClientOutcome(findings: findings, connection: next, connect: connect)
    }

    /// Ends this milter connection as Postfix does at the SMTP client's XCLIENT: ABORT unless XCLIENT gave a HELO
    /// name (`keepsHelo`) or the session had no HELO, QUIT, and the close, without waiting for the milter.
    func quitForXClient(keepsHelo: Bool) async -> [Finding] {
        let finding = await driveFinding(machine.xclientQuitRequested(keepsHelo: keepsHelo))
        return finding.map { [$0] } ?? []
    }

    /// Takes over the SMTP session of the connection XCLIENT ended: its TLS session, whether XCLIENT gave a
    /// HELO name (the next HELO and the end of the session then reset it with an ABORT), and the protocol it gave.
    func adoptSession(tls: TLSSession?, heloGiven: Bool, smtpProtocol: XClientAttributes.SMTPProtocol) {
        machine.adoptSession(tls: tls, heloGiven: heloGiven, smtpProtocol: smtpProtocol)
    }
}

/// What ``MilterClientConnection/xclient(_:)`` did: the end of the old milter connection and the new one.
public struct XClientOutcome: Sendable {
    /// What went wrong at the old connection's ABORT and QUIT (a reply where none is due, the socket gone).
    public var findings: [Finding]
    /// The new milter connection, negotiated (its ``MilterClientConnection/negotiation``), with CONNECT sent for
    /// the new client: the session's connection from now on.
    public var connection: MilterClientConnection
    /// The new connection's CONNECT.
    public var connect: StepRecord
}

/// Why ``MilterClientConnection/xclient(_:)`` did not play XCLIENT.
public enum XClientError: Error, Sendable, CustomStringConvertible {
    /// The profile is Sendmail's, which has no XCLIENT. Nothing was sent.
    case notPostfix
    /// A transaction is open: Postfix answers `503 5.5.1 Error: MAIL transaction in progress` and the milter gets
    /// nothing. End it first (``MilterClientConnection/finishTransaction()`` or ``MilterClientConnection/abort()``).
    case insideTransaction
    /// The connection was made over a channel, not opened to an address: there is nowhere to open the new one.
    /// Nothing was sent.
    case noAddress
    /// The old connection ended, and the new one could not be opened.
    case reconnect(MilterConnectError)

    /// The reason in words.
    public var description: String {
        switch self {
        case .notPostfix: "XCLIENT is Postfix's command: Sendmail has no XCLIENT"
        case .insideTransaction: "XCLIENT inside a transaction: Postfix answers 503, end the transaction first"
        case .noAddress: "XCLIENT needs a new milter connection, and this one was not opened to an address"
        case .reconnect(let error): "XCLIENT: the new milter connection failed: \(error)"
        }
    }
}
