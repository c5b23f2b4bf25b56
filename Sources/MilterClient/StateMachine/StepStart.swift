import MilterProtocol
import NIOCore

/// Where a step stands once its command is ready to go (or did not need to).
enum StepStart {
    /// The step is over: nothing goes out.
    case done(StepRecord)
    /// These frames go out; ``MTAConnectionStateMachine/outgoing`` says what follows.
    case write(ByteBuffer)
}

/// A command handed out for writing, between ``MTAConnectionStateMachine/Action/write(_:)`` and
/// ``MTAConnectionStateMachine/written()``.
struct OutgoingStep {
    /// The command.
    let id: MilterCommand.ID
    /// How long to wait for each reply, or `nil` when none is due.
    let timeout: TimeAmount?
    /// Whether only the event's MACRO packet goes, the event itself being switched off.
    let loneMacro: Bool
    /// When the step started.
    let start: ContinuousClock.Instant
    /// The protocol state before the command: stray replies are judged as of then.
    let sessionBefore: MTASession
}

/// A step whose replies are due.
struct PendingStep {
    /// The command sent.
    let id: MilterCommand.ID
    /// How long to wait for each reply (PROGRESS and every other reply start the wait again).
    let timeout: TimeAmount
    /// When the step started.
    let start: ContinuousClock.Instant
    /// The replies so far.
    var replies: [MilterReply] = []
}
