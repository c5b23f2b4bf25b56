import MilterProtocol

/// One command of a session and everything the milter answered to it.
public struct StepRecord: Hashable, Sendable {
    /// How the command went out.
    public enum Delivery: Hashable, Sendable {
        /// Sent, and its replies were read.
        case awaited
        /// Sent without waiting: an NR event, ABORT or QUIT.
        case sentWithoutReply
        /// Not sent because the milter switched the event off (NO flag, version, SKIP); its macros may have gone.
        case skipped
        /// Not sent because an earlier verdict or finding ended the conversation.
        case notSent
    }

    /// The command.
    public var command: MilterCommand.ID
    /// How it went out.
    public var delivery: Delivery
    /// Every reply read for it, in order: PROGRESS, QUARANTINE, modifications, then the final one.
    public var replies: [MilterReply]
    /// The SMTP reply the MTA gives for this step's verdict (REPLYCODE text, or the MTA's text for
    /// REJECT, TEMPFAIL, SHUTDOWN or a finding); `nil` when the step just continues.
    public var smtpReply: String?
    /// What went wrong, if anything.
    public var finding: Finding? {
        get { exceptional?.finding }
        set { if newValue != nil || exceptional != nil { exceptional = .of(finding: newValue, refusal: refusal) } }
    }
    /// From sending the command until its final reply (or the finding).
    public var duration: Duration
    /// Why the client refused to send the command at all (MAIL before CONNECT, RCPT before MAIL): the
    /// caller's mistake, not the milter's. `nil` for every command that went, or was left out by the rules.
    public var refusal: MilterProtocolError? {
        get { exceptional?.refusal }
        set { if newValue != nil || exceptional != nil { exceptional = .of(finding: finding, refusal: newValue) } }
    }
    /// PROGRESS replies read but not kept in ``replies``: past ``MilterClientLimits/progressRecords``
    /// of them, a step only counts them.
    public var omittedProgress = 0

    /// Creates a record.
    public init(
        command: MilterCommand.ID, delivery: Delivery, replies: [MilterReply] = [], smtpReply: String? = nil,
        finding: Finding? = nil, duration: Duration = .zero
    ) {
        self.command = command
        self.delivery = delivery
        self.replies = replies
        self.smtpReply = smtpReply
        self.duration = duration
        self.finding = finding
    }

    /// ``finding`` and ``refusal``, which few records have, kept out of line: a record is copied at
    /// every step, and both inline made it 176 bytes instead of 64.
    private var exceptional: Exceptional?

    /// The final reply, if one came.
    public var finalReply: MilterReply? { replies.last { $0.id.isFinal } }
}

extension StepRecord {
    /// A finding and a refusal, at least one of them set.
    fileprivate final class Exceptional: Hashable, Sendable {
        let finding: Finding?
        let refusal: MilterProtocolError?

        private init(finding: Finding?, refusal: MilterProtocolError?) {
            self.finding = finding
            self.refusal = refusal
        }

        /// Both, or `nil` when neither is set.
        static func of(finding: Finding?, refusal: MilterProtocolError?) -> Exceptional? {
            finding == nil && refusal == nil ? nil : Exceptional(finding: finding, refusal: refusal)
        }

        static func == (lhs: Exceptional, rhs: Exceptional) -> Bool {
            lhs.finding == rhs.finding && lhs.refusal == rhs.refusal
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(finding)
            hasher.combine(refusal)
        }
    }
}
