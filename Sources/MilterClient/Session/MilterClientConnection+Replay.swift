import MilterProtocol

extension MilterClientConnection {
    /// Sends a recorded command, preceded by the MACRO packets recorded before it, and reads the
    /// milter's replies: the step a replay of a captured session makes.
    ///
    /// The commands and macros go out as recorded, but the MTA adapts to this milter's own
    /// negotiation: an event it switched off with a NO flag is not sent (its macros still are,
    /// as Postfix sends them), a reply it switched off with an NR flag is not awaited, body
    /// chunks after SKIP are not sent, and once this milter has ended a transaction (or every
    /// recipient was refused) the rest of the transaction is not sent. Every reply is checked by
    /// `MTASession` as for any other step. OPTNEG is not replayed here: open the connection with
    /// ``MilterClientConfiguration/offer`` set to the recorded offer.
    ///
    /// ```swift
    /// var configuration = MilterClientConfiguration()
    /// configuration.offer = recordedOffer
    /// let connection = try await MilterClientConnection.open(to: address, configuration: configuration)
    /// let record = await connection.replay(.helo(MilterString("mx.example.test")), macros: recordedMacros)
    /// ```
    public func replay(_ command: MilterCommand, macros: [MacroDefinition]) async -> StepRecord {
        await driveStep(machine.replayRequested(command, macros: macros))
    }

    /// Closes the socket without QUIT, as an MTA does after a connection-level verdict or when
    /// the recorded session simply ended.
    public func closeWithoutQuit() async {
        _ = run(machine.closeRequested())
    }
}
