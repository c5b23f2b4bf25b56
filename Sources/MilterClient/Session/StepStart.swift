import MilterProtocol
import NIOCore

/// Where a step stands once its command went out (or did not need to).
enum StepStart {
    /// The step is over: nothing to wait for.
    case done(StepRecord)
    /// The command went out and its replies are due.
    case awaiting(PendingStep)
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
