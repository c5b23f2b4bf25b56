import MilterCapture
import MilterClient
import MilterProtocol

/// One command the recorded MTA sent, the MACRO packets it sent just before, and what the recorded
/// milter answered.
///
/// A class: a replay hands each step to the connection and to the comparison, run after run, and a
/// struct was copied at each hand-over (its command, macros, frames and replies retained one by one).
package final class RecordedStep: Sendable {
    /// The position among the session's commands, from 1 (MACRO packets are not counted).
    package let number: Int
    /// The command.
    package let command: MilterCommand
    /// The MACRO packets sent before it, in order.
    package let macros: [MacroDefinition]
    /// Their frames and the command's, encoded once for every time the step is sent.
    package let frames: ReplayFrames?
    /// The capture packet that completed the command.
    package let packet: Int
    /// Every reply recorded after it, before the next command.
    package let replies: [MilterReply]
    /// False when a reply frame was cut, undecodable or lost in a gap: the recorded answer is unknown.
    package let repliesComplete: Bool

    /// A step with the replies recorded so far.
    package init(
        number: Int, command: MilterCommand, macros: [MacroDefinition], packet: Int, replies: [MilterReply] = [],
        repliesComplete: Bool = true
    ) {
        self.number = number
        self.command = command
        self.macros = macros
        self.frames = ReplayFrames(command, macros: macros)
        self.packet = packet
        self.replies = replies
        self.repliesComplete = repliesComplete
    }
}

/// A captured milter session made ready to replay: the MTA's side to send again and the recorded
/// milter's replies to compare with.
package struct ReplayScript: Sendable {
    /// `stream 3 127.0.0.1:40000 -> 127.0.0.1:7044`.
    package let label: String
    /// The OPTNEG the recorded MTA offered, sent again as it is.
    package let offer: OptionNegotiation
    /// What the recorded milter answered to it.
    package let negotiationReplies: [MilterReply]
    /// The agreement of the recording, when its answer was captured and valid.
    package let recordedOptions: NegotiatedOptions?
    /// The commands after OPTNEG.
    package let steps: [RecordedStep]
    /// The first gap in the recorded milter's stream: no step from its step on is compared.
    package let milterGap: RecordedGap?

    /// A script of `steps` after the recorded OPTNEG exchange.
    package init(
        label: String, offer: OptionNegotiation, negotiationReplies: [MilterReply], recordedOptions: NegotiatedOptions?,
        steps: [RecordedStep], milterGap: RecordedGap? = nil
    ) {
        self.milterGap = milterGap
        self.label = label
        self.offer = offer
        self.negotiationReplies = negotiationReplies
        self.recordedOptions = recordedOptions
        self.steps = steps
    }

    /// Whether the recorded MTA ended with QUIT (rather than closing the socket).
    package var endsWithQuit: Bool { steps.last?.command.id == .quit }

    /// The script of `session`, or why it cannot be replayed.
    static func make(_ session: CapturedSession) -> Result<ReplayScript, NotReplayable> {
        let label = "\(session.info.stream) \(session.info.mta) -> \(session.info.milter)"
        var builder = Builder()
        for entry in session.entries {
            if let reason = builder.add(entry) { return .failure(NotReplayable(label: label, reason: reason)) }
        }
        guard let offer = builder.offer else {
            return .failure(NotReplayable(label: label, reason: "the capture holds no OPTNEG from the MTA"))
        }
        var recordedOptions: NegotiatedOptions?
        if case .optionNegotiation(let answer)? = builder.negotiationReplies.first {
            recordedOptions = try? Negotiation.mtaAgreement(offer: offer, answer: answer).agreed
        }
        return .success(
            ReplayScript(
                label: label, offer: offer, negotiationReplies: builder.negotiationReplies,
                recordedOptions: recordedOptions, steps: builder.steps.map(\.step), milterGap: builder.milterGap))
    }

    /// Gathers a session's entries into steps.
    private struct Builder {
        var offer: OptionNegotiation?
        var negotiationReplies: [MilterReply] = []
        var steps: [Draft] = []
        var pendingMacros: [MacroDefinition] = []
        var milterGap: RecordedGap?

        /// Adds an entry; returns why the session cannot be replayed, if it cannot.
        mutating func add(_ entry: SessionEntry) -> String? {
            switch entry {
            case .issue(let issue):
                if issue.direction == .fromMilter || issue.direction == nil {
                    if milterGap == nil { milterGap = RecordedGap(issue, step: steps.count) }
                    markRepliesIncomplete()
                    return nil
                }
                return "the MTA's side is incomplete: \(issue)"
            case .frame(let frame) where frame.direction == .fromMTA:
                return addCommand(frame)
            case .frame(let frame):
                guard case .reply(let reply) = frame.decoded else {
                    markRepliesIncomplete()
                    return nil
                }
                if steps.isEmpty {
                    negotiationReplies.append(reply)
                } else {
                    steps[steps.count - 1].replies.append(reply)
                }
                return nil
            }
        }

        private mutating func addCommand(_ frame: CapturedFrame) -> String? {
            guard case .command(let command) = frame.decoded else {
                let what = frame.isComplete ? "is invalid" : "lacks \(frame.missingBytes) bytes in the capture"
                return "the MTA's frame in packet #\(frame.firstPacket) \(what)"
            }
            switch command {
            case .optionNegotiation(let value) where offer == nil && steps.isEmpty:
                offer = value
            case .macro(let definition):
                pendingMacros.append(definition)
            default:
                guard offer != nil else { return "the capture holds no OPTNEG from the MTA" }
                steps.append(
                    Draft(
                        number: steps.count + 1, command: command, macros: pendingMacros, packet: frame.lastPacket))
                pendingMacros = []
            }
            return nil
        }

        private mutating func markRepliesIncomplete() {
            if !steps.isEmpty { steps[steps.count - 1].repliesComplete = false }
        }
    }

    /// A step while its replies are gathered.
    private struct Draft {
        let number: Int
        let command: MilterCommand
        let macros: [MacroDefinition]
        let packet: Int
        var replies: [MilterReply] = []
        var repliesComplete = true

        var step: RecordedStep {
            RecordedStep(
                number: number, command: command, macros: macros, packet: packet, replies: replies,
                repliesComplete: repliesComplete)
        }
    }
}

/// A captured session that cannot be sent again, and why.
package struct NotReplayable: Error, Sendable {
    /// The session's label.
    package let label: String
    /// Why, in words.
    package let reason: String
}
