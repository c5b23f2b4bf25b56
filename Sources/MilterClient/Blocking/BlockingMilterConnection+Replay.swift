import MilterProtocol

extension BlockingMilterConnection {
    /// The OPTNEG step: the offer sent, the milter's answer, and any finding on it.
    package var negotiation: StepRecord { machine.negotiation }

    /// Sends a recorded command, preceded by the MACRO packets recorded before it, and reads the
    /// milter's replies, as ``MilterClientConnection/replay(_:macros:)`` does: sent as recorded, but
    /// adapted to this milter's negotiation (NO and NR flags, SKIP, a transaction it ended). No
    /// step of a replay is sent from a record (``ExchangeMemoStore``): the recorded sessions are
    /// the input, and each is sent once per connection. A step that takes no reply is held and
    /// leaves with the next one that does (or with QUIT or the close), in one write, as the steps
    /// of a message sent with ``send(_:)`` do. With `frames` (the same command and macros, encoded
    /// once for a session sent again and again), their frames are copied instead of encoded.
    package func replay(_ command: MilterCommand, macros: [MacroDefinition], frames: ReplayFrames? = nil) -> StepRecord
    {
        digest = nil
        transport.holdsFramesBetweenRuns = true
        return driveStep(machine.replayRequested(command, macros: macros, frames: frames))
    }

    /// Closes the socket without QUIT, as an MTA does after a connection-level verdict or when
    /// the recorded session simply ended (``MilterClientConnection/closeWithoutQuit()``).
    package func closeWithoutQuit() {
        digest = nil
        _ = runMachine(machine.closeRequested())
    }
}
