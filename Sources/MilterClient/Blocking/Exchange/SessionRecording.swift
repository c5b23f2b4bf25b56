import MilterProtocol
import NIOCore

/// What one replay of a recorded session wrote and read up to its last step (QUIT, or the close
/// when the recorded MTA closed), and the machine it left: the same session replayed again
/// (`milter-replay --pcap --repeat`) is sent from it while the milter answers as it did
/// (``BlockingMilterConnection/open(to:configuration:replaying:steps:)``). Immutable once made.
package final class SessionRecording: @unchecked Sendable {
    /// One write each, with the replies that answered it.
    let segments: [ExchangeSegment]
    /// The frames of the last steps that took no reply, which leave with the last step's write.
    let held: ByteBuffer
    /// The machine after the steps.
    let machineAfter: MTAConnectionStateMachine

    init(segments: [ExchangeSegment], held: ByteBuffer, machineAfter: MTAConnectionStateMachine) {
        self.segments = segments
        self.held = held
        self.machineAfter = machineAfter
    }

    /// The bytes it holds, for a store's budget: each buffer's capacity (a recorded write's buffer grew
    /// by doubling), and each recorded reply's cost (``MilterClientLimits/cost(of:)``).
    package var byteCount: Int { segments.reduce(held.capacity) { $0 + $1.byteCount } }
}

/// One step of a recorded session, as ``BlockingMilterConnection/replay(_:macros:frames:)`` takes it.
package protocol ReplayableStep {
    /// The command.
    var command: MilterCommand { get }
    /// The MACRO packets sent before it, in order.
    var macros: [MacroDefinition] { get }
    /// Their frames and the command's, encoded once, if they were.
    var frames: ReplayFrames? { get }
}
