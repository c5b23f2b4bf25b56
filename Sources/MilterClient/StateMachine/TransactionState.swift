import MailMessage
import MilterProtocol
import NIOCore

/// What the connection remembers about the transaction in progress.
struct TransactionState {
    /// How a transaction ended before end of message, or at it.
    enum Ending: Equatable {
        /// ACCEPT, or end of message with CONTINUE/ACCEPT: deliver.
        case delivered
        /// DISCARD.
        case discarded
        /// A refusal with this SMTP reply.
        case refused(String)
    }

    var steps: [StepRecord] = []
    var modifications: [MilterReply] = []
    var quarantine: String?
    var ending: Ending?
    var sender: EnvelopeAddress?
    /// The RCPT being answered, or the last one: Sendmail writes its address into a refusal (``StepEffect``).
    var recipient: EnvelopeAddress?
    var acceptedRecipients: [EnvelopeAddress] = []
    var rejectedRecipients: [(recipient: EnvelopeAddress, reply: String)] = []
    var headerFields: [RawHeaderField] = []
    var body: [UInt8] = []
    var start: NIODeadline?

    /// Whether nothing is under way: as ``init()`` makes it, which ending a transaction does.
    var isEmpty: Bool {
        steps.isEmpty && modifications.isEmpty && quarantine == nil && ending == nil && sender == nil
            && recipient == nil && acceptedRecipients.isEmpty && rejectedRecipients.isEmpty && headerFields.isEmpty
            && body.isEmpty
            && start == nil
    }

    /// Every finding of the transaction's steps.
    var findings: [Finding] { steps.compactMap(\.finding) }

    /// Records a step's modifications and quarantine.
    mutating func collect(_ record: StepRecord) {
        steps.append(record)
        for reply in record.replies {
            if case .quarantine(let reason) = reply { quarantine = reason.string }
            if reply.id.isModification { modifications.append(reply) }
        }
    }
}
