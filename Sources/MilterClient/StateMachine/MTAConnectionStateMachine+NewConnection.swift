import MilterProtocol

extension MTAConnectionStateMachine {
    /// The caller's QUIT_NC (version 6): the SMTP client is gone but the milter keeps the connection for the
    /// next one, whose CONNECT (``newClientConnectRequested(_:)``) comes next. Sent unless the socket is closed.
    package mutating func quitNewConnectionRequested() -> Action {
        purpose = .plain
        return emit(proceed(startStep(.quitNewConnection, macros: nil, ignoringStatus: true)))
    }

    /// The next SMTP client's CONNECT on a connection kept by QUIT_NC: a fresh SMTP session, with the
    /// client's own macros, whatever the milter decided about the previous client.
    package mutating func newClientConnectRequested(_ client: SMTPClient) -> Action {
        self.client = client
        context = MacroContext(identity: configuration.identity, profile: configuration.profile, client: client)
        transaction = TransactionState()
        quarantineHold = nil
        // The new session has had no HELO: its first one resets none (``heloResetAborts``).
        heloGiven = false
        smtpProtocol = .smtp
        sendmailProtocol = nil
        if socketOpen { status = .open }
        return connectRequested()
    }
}
