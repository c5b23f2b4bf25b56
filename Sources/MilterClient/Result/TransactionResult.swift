import MailMessage
import MilterProtocol

/// Everything that happened to one message.
///
/// What a transaction came to (its steps, verdict, modifications, findings, refusals and resulting
/// message) is held in one shared storage, copied when changed while shared: a transaction sent
/// again from a record (`BlockingMilterConnection`) shares the record's, so a copy of a result
/// retains one reference, not one per field. The queue ID, the duration and the measured step
/// durations are the transaction's own.
public struct TransactionResult: Sendable {
    /// Every step, in order, including those not sent and the closing ABORT.
    public var steps: [StepRecord] {
        get { measuredDurations.isEmpty ? shared.steps : Self.steps(shared.steps, timedBy: measuredDurations) }
        _modify {
            let durations = measuredDurations
            measuredDurations = []
            unshare()
            if !durations.isEmpty { shared.steps = Self.steps(shared.steps, timedBy: durations) }
            yield &shared.steps
        }
    }
    /// The steps as ``steps`` gives them but with the durations of a transaction sent again from a record left
    /// at the record's: for a reader that looks at commands, deliveries or refusals and not at timings, without
    /// the copy of every step ``steps`` makes for such a transaction.
    package var untimedSteps: [StepRecord] { shared.steps }
    /// Durations measured for some of the steps and not written into the shared steps yet, as (index, duration)
    /// pairs. A transaction sent again from a record (`BlockingMilterConnection`) shares the record's steps and
    /// keeps its own timings here, so that only a reader of ``steps`` pays for a copy of them: a load run reads
    /// none. Empty when there are none: an array, not an optional one, whose copies the runtime's value witnesses
    /// made (the optional of an array of tuples), twice per message sent from a record.
    private var measuredDurations: [(index: Int, duration: Duration)] = []
    /// What the transaction came to, shared by copies until one of them changes it.
    private var shared: Outcome
    /// The decision.
    public var verdict: Disposition {
        get { shared.verdict }
        _modify {
            unshare()
            yield &shared.verdict
        }
    }
    /// The SMTP reply for a refusal (REPLYCODE text or the MTA's own); `nil` when accepted.
    public var smtpReply: String? {
        get { shared.smtpReply }
        _modify {
            unshare()
            yield &shared.smtpReply
        }
    }
    /// The modifications received at end of message, in order.
    public var modifications: [MilterReply] {
        get { shared.modifications }
        _modify {
            unshare()
            yield &shared.modifications
        }
    }
    /// The quarantine reason, if the milter quarantined the message.
    public var quarantineReason: String? {
        get { shared.quarantineReason }
        _modify {
            unshare()
            yield &shared.quarantineReason
        }
    }
    /// What the milter did wrong.
    public var findings: [Finding] {
        get { shared.findings }
        _modify {
            unshare()
            yield &shared.findings
        }
    }
    /// The recipients the milter refused, with the reply for each.
    public var rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)] {
        get { shared.rejectedRecipients }
        _modify {
            unshare()
            yield &shared.rejectedRecipients
        }
    }
    /// The message as the MTA would queue it, after the modifications; `nil` unless accepted or quarantined.
    public var resultingMessage: ResultingMessage? {
        get { shared.resultingMessage }
        _modify {
            unshare()
            yield &shared.resultingMessage
        }
    }
    /// The time from MAIL to the final reply at end of message (or the verdict).
    public var duration: Duration
    /// The queue ID the MTA gave the message (the `i` macro), as a milter logs it; `nil` before MAIL.
    public var queueID: String?
    /// Whether the transaction was abandoned before end of message without a verdict (``MilterClientConnection/abort()``);
    /// the verdict is then `tempfail`, as nothing was queued.
    public var wasAborted: Bool {
        get { shared.wasAborted }
        _modify {
            unshare()
            yield &shared.wasAborted
        }
    }

    /// Creates a result.
    public init(
        steps: [StepRecord], verdict: Disposition, smtpReply: String? = nil, modifications: [MilterReply] = [],
        quarantineReason: String? = nil, findings: [Finding] = [],
        rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)] = [],
        resultingMessage: ResultingMessage? = nil, duration: Duration = .zero
    ) {
        shared = Outcome(
            steps: steps, verdict: verdict, smtpReply: smtpReply, modifications: modifications,
            quarantineReason: quarantineReason, findings: findings, rejectedRecipients: rejectedRecipients,
            resultingMessage: resultingMessage)
        self.duration = duration
    }

    /// Makes ``shared`` this result's own before it changes.
    private mutating func unshare() {
        if !isKnownUniquelyReferenced(&shared) { shared = shared.copy() }
    }

    /// The shared part of a result. Changed only while one result holds it (``unshare()``), so
    /// it may cross threads as the value it is part of does.
    ///
    /// Its fields go without the runtime's exclusivity checks (a call into the runtime for every
    /// read of a result's verdict or findings): a result changes them only while it holds them alone,
    /// and the result itself is checked statically, as any value.
    private final class Outcome: @unchecked Sendable {
        @exclusivity(unchecked) var steps: [StepRecord]
        @exclusivity(unchecked) var verdict: Disposition
        @exclusivity(unchecked) var smtpReply: String?
        @exclusivity(unchecked) var modifications: [MilterReply]
        @exclusivity(unchecked) var quarantineReason: String?
        @exclusivity(unchecked) var findings: [Finding]
        @exclusivity(unchecked) var rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)]
        @exclusivity(unchecked) var resultingMessage: ResultingMessage?
        @exclusivity(unchecked) var wasAborted = false

        init(
            steps: [StepRecord], verdict: Disposition, smtpReply: String?, modifications: [MilterReply],
            quarantineReason: String?, findings: [Finding],
            rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)],
            resultingMessage: ResultingMessage?
        ) {
            self.steps = steps
            self.verdict = verdict
            self.smtpReply = smtpReply
            self.modifications = modifications
            self.quarantineReason = quarantineReason
            self.findings = findings
            self.rejectedRecipients = rejectedRecipients
            self.resultingMessage = resultingMessage
        }

        func copy() -> Outcome {
            let copy = Outcome(
                steps: steps, verdict: verdict, smtpReply: smtpReply, modifications: modifications,
                quarantineReason: quarantineReason, findings: findings, rejectedRecipients: rejectedRecipients,
                resultingMessage: resultingMessage)
            copy.wasAborted = wasAborted
            return copy
        }
    }
}

extension TransactionResult {
    /// Gives the steps at `durations`' indices these durations, without copying the steps now
    /// (``steps``); durations set before at other indices are kept.
    mutating func setStepDurations(_ durations: [(index: Int, duration: Duration)]) {
        if measuredDurations.isEmpty { measuredDurations = durations } else { measuredDurations += durations }
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
