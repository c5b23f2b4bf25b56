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
    let start: NIODeadline
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
    let start: NIODeadline
    /// How long the whole step may take, and when that is over.
    let deadline: (amount: TimeAmount, instant: NIODeadline)
    /// Whether the wait under way ends at the deadline rather than after ``timeout``.
    var waitEndsAtDeadline = false
    /// The replies kept so far (PROGRESS past the limit only counted).
    var replies: [MilterReply] = []
    /// Every reply read, kept or not.
    var replyCount = 0
    /// The PROGRESS replies read, and those of them not kept.
    var progress = 0
    var omittedProgress = 0
    /// The modifications read, REPLBODY chunks left out, and what all of them cost.
    var modificationCount = 0
    var modificationBytes = 0
    /// The first rule a reply broke that the MTA lets go (``MTASession/lastReplyWarning``).
    var warning: MilterProtocolError?

    init(id: MilterCommand.ID, timeout: TimeAmount, start: NIODeadline, deadline: TimeAmount) {
        self.id = id
        self.timeout = timeout
        self.start = start
        // Saturates at NIODeadline.distantFuture.
        self.deadline = (deadline, start + deadline)
    }

    /// Keeps `reply`, unless it is a PROGRESS past `limits`, and counts it.
    mutating func keep(_ reply: MilterReply, limits: MilterClientLimits) {
        replyCount += 1
        if reply == .progress {
            progress += 1
            guard progress <= limits.progressRecords else {
                omittedProgress += 1
                return
            }
        }
        replies.append(reply)
    }

    /// Counts a modification the protocol allowed; the limit it takes the message past, if any.
    mutating func budget(_ reply: MilterReply, limits: MilterClientLimits) -> Finding.ResourceLimit? {
        guard reply.id.isModification else { return nil }
        if reply.id != .replaceBody { modificationCount += 1 }
        modificationBytes += MilterClientLimits.cost(of: reply)
        if modificationCount > limits.maximumModifications { return .modificationCount(limits.maximumModifications) }
        if modificationBytes > limits.maximumModificationBytes {
            return .modificationBytes(limits.maximumModificationBytes)
        }
        return nil
    }

    /// The wait for the next reply as of `now`: the timeout, or what is left before the
    /// deadline if that is sooner; `nil` once the deadline has passed.
    mutating func nextWait(at now: NIODeadline) -> TimeAmount? {
        let left = (deadline.instant - now).nanoseconds
        guard left > 0 else { return nil }
        waitEndsAtDeadline = left < timeout.nanoseconds
        return waitEndsAtDeadline ? .nanoseconds(left) : timeout
    }
}
