import MailMessage
import MilterProtocol

/// Everything that happened to one message.
public struct TransactionResult: Sendable {
    /// Every step, in order, including those not sent and the closing ABORT.
    public var steps: [StepRecord] {
        get { measuredDurations.map { Self.steps(sharedSteps, timedBy: $0) } ?? sharedSteps }
        _modify {
            if let durations = measuredDurations.take() { sharedSteps = Self.steps(sharedSteps, timedBy: durations) }
            yield &sharedSteps
        }
    }
    /// The steps, without the durations in ``measuredDurations``.
    private var sharedSteps: [StepRecord]
    /// The steps as ``steps`` gives them but with the durations of a transaction sent again from a record left
    /// at the record's: for a reader that looks at commands, deliveries or refusals and not at timings, without
    /// the copy of every step ``steps`` makes for such a transaction.
    package var untimedSteps: [StepRecord] { sharedSteps }
    /// Durations measured for some of the steps and not written into ``sharedSteps`` yet, as (index, duration)
    /// pairs. A transaction sent again from a record (`BlockingMilterConnection`) shares the record's steps and
    /// keeps its own timings here, so that only a reader of ``steps`` pays for a copy of them: a load run reads
    /// none.
    private var measuredDurations: [(index: Int, duration: Duration)]?
    /// The decision.
    public var verdict: Disposition
    /// The SMTP reply for a refusal (REPLYCODE text or the MTA's own); `nil` when accepted.
    public var smtpReply: String?
    /// The modifications received at end of message, in order.
    public var modifications: [MilterReply]
    /// The quarantine reason, if the milter quarantined the message.
    public var quarantineReason: String?
    /// What the milter did wrong.
    public var findings: [Finding]
    /// The recipients the milter refused, with the reply for each.
    public var rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)]
    /// The message as the MTA would queue it, after the modifications; `nil` unless accepted or quarantined.
    public var resultingMessage: ResultingMessage?
    /// The time from MAIL to the final reply at end of message (or the verdict).
    public var duration: Duration
    /// The queue ID the MTA gave the message (the `i` macro), as a milter logs it; `nil` before MAIL.
    public var queueID: String?
    /// Whether the transaction was abandoned before end of message without a verdict (``MilterClientConnection/abort()``);
    /// the verdict is then `tempfail`, as nothing was queued.
    public var wasAborted = false

    /// Creates a result.
    public init(
        steps: [StepRecord], verdict: Disposition, smtpReply: String? = nil, modifications: [MilterReply] = [],
        quarantineReason: String? = nil, findings: [Finding] = [],
        rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)] = [],
        resultingMessage: ResultingMessage? = nil, duration: Duration = .zero
    ) {
        self.sharedSteps = steps
        self.verdict = verdict
        self.smtpReply = smtpReply
        self.modifications = modifications
        self.quarantineReason = quarantineReason
        self.findings = findings
        self.rejectedRecipients = rejectedRecipients
        self.resultingMessage = resultingMessage
        self.duration = duration
    }
}

extension TransactionResult {
    /// Gives the steps at `durations`' indices these durations, without copying the steps now
    /// (``steps``); durations set before at other indices are kept.
    mutating func setStepDurations(_ durations: [(index: Int, duration: Duration)]) {
        if measuredDurations == nil { measuredDurations = durations } else { measuredDurations! += durations }
    }

    private static func steps(
        _ steps: [StepRecord], timedBy durations: [(index: Int, duration: Duration)]
    ) -> [StepRecord] {
        var steps = steps
        for (index, duration) in durations { steps[index].duration = duration }
        return steps
    }
}

/// A message after the milter's modifications, as the MTA would queue it.
public struct ResultingMessage: Hashable, Sendable {
    /// The envelope sender, with angle brackets.
    public var sender: String
    /// The ESMTP arguments of a changed sender.
    public var senderArguments: String?
    /// The envelope recipients, with angle brackets.
    public var recipients: [String]
    /// The header fields, the MTA's own Received header first.
    public var headerFields: [RawHeaderField]
    /// The body with CRLF line ends.
    public var body: [UInt8]

    /// Creates a message.
    public init(
        sender: String, senderArguments: String? = nil, recipients: [String], headerFields: [RawHeaderField],
        body: [UInt8]
    ) {
        self.sender = sender
        self.senderArguments = senderArguments
        self.recipients = recipients
        self.headerFields = headerFields
        self.body = body
    }

    /// The message as bytes: header fields (folding kept, CRLF), an empty line, the body.
    public var rendered: [UInt8] {
        var out: [UInt8] = []
        for field in headerFields {
            out += field.nameBytes
            out.append(UInt8(ascii: ":"))
            out += HeaderText.crlfFolded(field.valueBytes)
            out += [0x0D, 0x0A]
        }
        out += [0x0D, 0x0A]
        out += body
        return out
    }
}
