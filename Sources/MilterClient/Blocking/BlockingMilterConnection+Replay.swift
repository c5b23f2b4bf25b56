import MilterProtocol

extension BlockingMilterConnection {
    /// The OPTNEG step: the offer sent, the milter's answer, and any finding on it.
    package var negotiation: StepRecord { machine.negotiation }

    /// Sends a recorded command, preceded by the MACRO packets recorded before it, and reads the
    /// milter's replies, as ``MilterClientConnection/replay(_:macros:)`` does: sent as recorded, but
    /// adapted to this milter's negotiation (NO and NR flags, SKIP, a transaction it ended). No
    /// step of a replay is sent from a record (``ExchangeMemoStore``): the recorded sessions are
    /// the input, and each is sent once per connection.
    package func replay(_ command: MilterCommand, macros: [MacroDefinition]) -> StepRecord {
        digest = nil
        return driveStep(machine.replayRequested(command, macros: macros))
    }

    /// Closes the socket without QUIT, as an MTA does after a connection-level verdict or when
    /// the recorded session simply ended (``MilterClientConnection/closeWithoutQuit()``).
    package func closeWithoutQuit() {
        digest = nil
        _ = runMachine(machine.closeRequested())
    }
}
