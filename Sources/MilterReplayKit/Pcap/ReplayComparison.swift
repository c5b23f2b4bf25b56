import MilterCapture
import MilterClient
import MilterProtocol

/// A step, or a run of steps, where the target answered otherwise than the recorded milter.
package struct StepDifference: Sendable {
    /// The step number (0 for OPTNEG), and the last one of a run of steps the target never got.
    package let steps: ClosedRange<Int>
    /// The command, e.g. `BODYEOB`, or `RCPT..BODYEOB` for a run.
    package let command: String
    /// The capture packet of the (first) recorded command.
    package let packet: Int?
    /// What the recorded milter answered.
    package let recorded: String
    /// What the target answered now.
    package let now: String
}

/// The verdict on one replayed session.
package struct SessionComparison: Sendable {
    /// Every difference, in step order.
    package var differences: [StepDifference] = []
    /// Steps that were not compared, and why (a NO/NR flag on one side, a reply missing from the capture).
    package var notes: [String] = []
    /// Steps whose replies were compared.
    package var compared = 0
    /// Why the steps from a gap in the recorded milter's stream on were not compared.
    package var gap: String?
    /// Steps the recorded milter answered CONTINUE that the target did not answer (its NO/NR flags).
    package var unansweredNow = 0
    /// Steps the recorded milter did not answer (its NO/NR flags) that the target answered CONTINUE.
    package var unansweredRecorded = 0

    /// The notes, with the counts of steps one side did not answer.
    package var allNotes: [String] {
        var all: [String] = []
        if unansweredNow > 0 {
            let one = unansweredNow == 1
            all.append(
                "\(unansweredNow) \(one ? "step" : "steps") the recorded milter answered CONTINUE "
                    + "\(one ? "was" : "were") not answered now (the target's NO/NR flags); the MTA goes on as after CONTINUE"
            )
        }
        if unansweredRecorded > 0 {
            let one = unansweredRecorded == 1
            all.append(
                "\(unansweredRecorded) \(one ? "step" : "steps") the recorded milter did not answer (its NO/NR flags) "
                    + "got CONTINUE now")
        }
        return all + notes
    }

    /// Whether no step differed. A session is only the same when steps were compared too:
    /// see ``notComparedReason``.
    package var isSame: Bool { differences.isEmpty }

    /// Why nothing could be compared, when no step differed and none was compared (the milter's side
    /// is missing from the capture): such a session is neither the same nor different. `nil` otherwise.
    /// A gap in the recorded milter's stream makes a session without differences not compared too.
    package var notComparedReason: String? {
        guard differences.isEmpty else { return nil }
        if let gap { return gap }
        guard compared == 0 else { return nil }
        guard let note = notes.first else { return "no recorded reply of the milter to compare with" }
        // `step 0 OPTNEG: not compared: the recorded reply is not in the capture`: the part after the step.
        let parts = note.split(separator: ": not compared: ", maxSplits: 1)
        let count = "\(notes.count) step\(notes.count == 1 ? "" : "s") not compared"
        return parts.count == 2 ? "\(parts[1]) (first at \(parts[0]); \(count))" : "\(note) (\(count))"
    }
}

/// An answer to one step, reduced to what is compared.
enum StepAnswer: Equatable {
    /// The command takes no reply (ABORT, QUIT, QUIT_NC).
    case none
    /// The replies, masked, without PROGRESS.
    case replies([MilterReply])
    /// Not sent: the milter switched the event off (NO flag, version, SKIP).
    case skipped
    /// Sent without awaiting a reply (NR flag).
    case noReply
    /// Not sent: the connection or the transaction had ended; the MTA's own reply, if any.
    case notSent(String?)
    /// Recorded only: the reply is not (wholly) in the capture.
    case unknown(String)
    /// Now only: the target broke the protocol, timed out or closed.
    case finding(String)
}

/// Compares a replayed session with its recording, step by step (see README, "Captures").
package struct ReplayComparator: Sendable {
    /// What is ignored.
    package let mask: ReplyMask
    /// Whether the differences show the session's envelope addresses as they are (`--show-values`).
    package let showsValues: Bool
    private let renderer = TranscriptRenderer()

    package init(mask: ReplyMask, showsValues: Bool = false) {
        self.mask = mask
        self.showsValues = showsValues
    }

    /// The comparison of `replay` with `script`.
    package func compare(_ script: ReplayScript, with replay: ReplayedSession) -> SessionComparison {
        var result = SessionComparison()
        let lastCompared = script.milterGap.map { $0.step - 1 } ?? Int.max
        if let gap = script.milterGap {
            let from = gap.step == 0 ? "OPTNEG" : "step \(gap.step)"
            result.gap = "\(gap.description); not compared from \(from) on"
            result.notes.append(result.gap!)
        }
        if lastCompared >= 0 { compareNegotiation(script, replay.negotiation, into: &result) }
        var unsent = UnsentRun()
        for (step, record) in zip(script.steps, replay.steps) where step.number <= lastCompared {
            compare(step, record, options: script.recordedOptions, unsent: &unsent, into: &result)
        }
        unsent.flush(into: &result)
        if !showsValues, !result.differences.isEmpty { result.differences = redacted(result.differences, script) }
        return result
    }

    /// The differences with the session's envelope addresses redacted (``EnvelopeRedaction``): the MTA's refusal,
    /// a milter's REPLYCODE or DELRCPT, may quote one. Only a session that differs pays for it.
    private func redacted(_ differences: [StepDifference], _ script: ReplayScript) -> [StepDifference] {
        let addresses = script.steps.compactMap { step -> MilterString? in
            switch step.command {
            case .mail(let envelope), .recipient(let envelope): envelope.address
            default: nil
            }
        }
        let redaction = EnvelopeRedaction(addresses, showsValues: false)
        return differences.map {
            StepDifference(
                steps: $0.steps, command: $0.command, packet: $0.packet, recorded: redaction($0.recorded),
                now: redaction($0.now))
        }
    }

    private func compare(
        _ step: RecordedStep, _ record: StepRecord, options: NegotiatedOptions?,
        unsent: inout UnsentRun, into result: inout SessionComparison
    ) {
        let recorded = recordedAnswer(step, options: options)
        let now = nowAnswer(record)
        if let warning = record.finding, warning.severity == .warning {
            // The MTA took the reply (Sendmail's SKIP before the body, say): its replies are compared.
            result.notes.append(
                "step \(step.number) \(step.command.id): WARNING \(warning.code) \(warning) (the MTA takes it)")
        }
        if case .notSent(let reply) = now, case .replies(let replies) = recorded {
            unsent.add(step, recorded: describe(.replies(replies)), reply: reply)
            return
        }
        unsent.flush(into: &result)
        judge(step, recorded: recorded, now: now, into: &result)
    }

    private func compareNegotiation(_ script: ReplayScript, _ record: StepRecord, into result: inout SessionComparison)
    {
        let now = nowAnswer(record)
        guard !script.negotiationReplies.isEmpty else {
            if case .finding = now {
            } else {
                result.notes.append("step 0 OPTNEG: not compared: the recorded reply is not in the capture")
                return
            }
            result.differences.append(difference(0, "OPTNEG", nil, "not in the capture", describe(now)))
            return
        }
        let recorded = StepAnswer.replies(script.negotiationReplies)
        if recorded != now {
            result.differences.append(difference(0, "OPTNEG", nil, describe(recorded), describe(now)))
        }
        result.compared += 1
    }

    private func judge(
        _ step: RecordedStep, recorded: StepAnswer, now: StepAnswer, into result: inout SessionComparison
    ) {
        let name = step.command.id.description
        // Described only when it differs: most steps are the same.
        var different: StepDifference {
            difference(step.number, name, step.packet, describe(recorded), describe(now))
        }
        switch (recorded, now) {
        case (_, .finding): result.differences.append(different)
        case (.none, .none): break
        case (.replies(let before), .replies(let after)):
            result.compared += 1
            if before != after { result.differences.append(different) }
        case (.replies, .none), (.none, .replies): result.differences.append(different)
        case (.replies(let replies), .skipped), (.replies(let replies), .noReply):
            // The MTA goes on after an event it did not send or await: only a CONTINUE is the same.
            if replies == [.continue] { result.unansweredNow += 1 } else { result.differences.append(different) }
        case (.skipped, .replies(let replies)), (.noReply, .replies(let replies)):
            if replies == [.continue] { result.unansweredRecorded += 1 } else { result.differences.append(different) }
        case (.unknown(let why), _):
            result.notes.append("step \(step.number) \(name): not compared: \(why)")
        default: break  // both without reply, or not sent after an earlier difference
        }
    }

    /// What the recorded milter answered, judged with the recording's own negotiation.
    private func recordedAnswer(_ step: RecordedStep, options: NegotiatedOptions?) -> StepAnswer {
        let id = step.command.id
        guard step.repliesComplete else { return .unknown("the recorded reply is not complete in the capture") }
        if !step.replies.isEmpty { return .replies(mask.comparable(step.replies)) }
        if id == .abort || id == .quit || id == .quitNewConnection { return .none }
        guard let options else { return .unknown("no recorded reply and no recorded negotiation") }
        if !options.sends(id) { return .skipped }
        if !options.awaitsReply(to: id) { return .noReply }
        return .unknown("the recorded reply is not in the capture")
    }

    private func nowAnswer(_ record: StepRecord) -> StepAnswer {
        if let finding = record.finding, finding.severity == .error { return .finding("\(finding.code) \(finding)") }
        switch record.delivery {
        case .awaited: return .replies(mask.comparable(record.replies))
        case .skipped: return .skipped
        case .notSent: return .notSent(record.smtpReply)
        case .sentWithoutReply:
            let id = record.command
            return id == .abort || id == .quit || id == .quitNewConnection ? .none : .noReply
        }
    }

    /// An answer in words, replies as transcripts show them.
    func describe(_ answer: StepAnswer) -> String {
        switch answer {
        case .none: "no reply due"
        case .replies(let replies):
            replies.isEmpty ? "no reply" : replies.map { renderer.text(of: $0) }.joined(separator: ", ")
        case .skipped: "not sent (the milter switched the event off: the MTA goes on as after CONTINUE)"
        case .noReply: "sent without awaiting a reply (NR flag: the MTA goes on as after CONTINUE)"
        case .notSent(let reply?): "not sent (the MTA answers \"\(reply)\")"
        case .notSent(nil): "not sent"
        case .unknown(let why): why
        case .finding(let text): "FINDING \(text)"
        }
    }

    private func difference(
        _ step: Int, _ command: String, _ packet: Int?, _ recorded: String, _ now: String
    )
        -> StepDifference
    {
        StepDifference(steps: step...step, command: command, packet: packet, recorded: recorded, now: now)
    }
}

/// Consecutive recorded steps the target never got because it had ended the transaction or the
/// connection earlier: reported as one difference rather than one per step.
private struct UnsentRun {
    private var first: RecordedStep?
    private var last: RecordedStep?
    private var recorded: [String] = []
    private var reply: String?

    mutating func add(_ step: RecordedStep, recorded text: String, reply: String?) {
        if first == nil {
            first = step
            self.reply = reply
        }
        last = step
        recorded.append(text)
    }

    mutating func flush(into result: inout SessionComparison) {
        guard let first, let last else { return }
        let names =
            first.number == last.number
            ? first.command.id.description
            : "\(first.command.id)..\(last.command.id)"
        let now = "not sent" + (reply.map { " (the MTA answers \"\($0)\")" } ?? "")
        let recordedText = recorded.count == 1 ? recorded[0] : "\(recorded.count) answers, first \(recorded[0])"
        result.differences.append(
            StepDifference(
                steps: first.number...last.number, command: names, packet: first.packet, recorded: recordedText,
                now: now))
        self = UnsentRun()
    }
}
