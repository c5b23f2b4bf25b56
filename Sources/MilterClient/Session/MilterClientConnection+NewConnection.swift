extension MilterClientConnection {
    /// Sends QUIT_NC (version 6): the SMTP client is gone, the milter connection stays for the next client,
    /// whose ``connect(as:)`` comes next. An open transaction should be ended first (``finishTransaction()``).
    @discardableResult
    public func quitNewConnection() async -> StepRecord { await driveStep(machine.quitNewConnectionRequested()) }

    /// Sends CONNECT for `client` after ``quitNewConnection()``, with its macros: a new SMTP session on the
    /// same milter connection, whatever was decided about the previous client. Later HELOs name this client.
    @discardableResult
    public func connect(as client: SMTPClient) async -> StepRecord {
        await driveStep(machine.newClientConnectRequested(client))
    }
}
