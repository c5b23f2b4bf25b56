import MilterProtocol
import NIOCore

/// The frames of a recorded command and of the MACRO packets recorded before it, encoded once: a
/// replay that sends the same recorded sessions again and again copies them instead of encoding
/// them at every step (``BlockingMilterConnection/replay(_:macros:frames:)``). The step still goes
/// through ``MTASession``, which checks the command and every MACRO packet as without frames.
package struct ReplayFrames: Sendable {
    /// The command's frame.
    let command: ByteBuffer
    /// The MACRO packets' frames, in order.
    let macros: ByteBuffer

    /// The bytes both hold.
    package var byteCount: Int { command.readableBytes + macros.readableBytes }

    /// The frames of `command` and `macros`; `nil` when one cannot be encoded (the step then
    /// encodes it, and refuses it, as without frames).
    package init?(_ command: MilterCommand, macros: [MacroDefinition]) {
        var commandFrame = ByteBuffer()
        var macroFrames = ByteBuffer()
        do {
            try commandFrame.writeMilterCommand(command)
            for definition in macros { try macroFrames.writeMilterCommand(.macro(definition)) }
        } catch {
            return nil
        }
        self.command = commandFrame
        self.macros = macroFrames
    }
}
