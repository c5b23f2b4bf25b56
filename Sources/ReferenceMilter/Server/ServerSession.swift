import MilterProtocol
import NIOCore

/// What the connection must do after a command.
enum SessionAction {
    /// Send these replies in one write (nothing when empty).
    case reply([MilterReply])
    /// Ask the classifier's early check, then call ``ServerSession/checked(_:verdict:)``.
    case check(EarlyEvent, MailInfo)
    /// Classify the message, then call ``ServerSession/classified(_:)``.
    case classify(MailInfo)
    /// Send these replies, then close the connection.
    case replyAndClose([MilterReply])
    /// Close the connection (QUIT).
    case close
}

/// The milter side of one connection as a pure state machine: commands in, actions out.
///
/// It keeps the connection's state (client, HELO, connection macros) and the transaction's
/// (envelope, per-recipient macros, header fields, body within the truncation budget), decides
/// which commands are answered, and turns decisions into replies. It never touches a socket.
struct ServerSession {
    private let needs: ClassifierNeeds
    private let options: ProtocolOptions
    private let refusing: Bool
    private var sequencer = ReplySequencer()
    private(set) var agreed: NegotiatedOptions?
    private var mail = MailInfo()
    private var message: MessageAssembler

    /// Creates a session; a `refusing` session answers CONNECT with a tempfail and closes (server full).
    init(needs: ClassifierNeeds, options: ProtocolOptions, refusing: Bool = false) {
        self.needs = needs
        self.options = options
        self.refusing = refusing
        self.message = MessageAssembler(budget: options.messageBudget, leadingSpaceIncluded: false)
    }

    /// Whether a message is in progress (after MAIL, before end of message or ABORT).
    var isInsideMessage: Bool { mail.sender != nil }

    /// Handles one command from the MTA.
    mutating func receive(_ command: MilterCommand) throws(MilterProtocolError) -> SessionAction {
        try sequencer.commandReceived(command.id)
        switch command {
        case .optionNegotiation(let offer): return try negotiate(offer)
        case .macro(let definition):
            record(definition)
            return .reply([])
        case .quit: return .close
        case .abort, .quitNewConnection:
            resetTransaction()
            if command.id == .quitNewConnection { mail = MailInfo() }
            return .reply([])
        default: return event(command)
        }
    }

    private mutating func negotiate(_ offer: OptionNegotiation) throws(MilterProtocolError) -> SessionAction {
        let wanted =
            refusing ? NegotiationPolicy.refusing : NegotiationPolicy.requirements(needs: needs, options: options, offer: offer)
        let (answer, agreed) = try Negotiation.milterAnswer(to: offer, wanting: wanted)
        self.agreed = agreed
        sequencer.negotiated(agreed)
        message = MessageAssembler(
            budget: options.messageBudget, leadingSpaceIncluded: agreed.protocolFlags.contains(.headerLeadingSpace))
        return .reply([.optionNegotiation(answer)])
    }

    private mutating func record(_ definition: MacroDefinition) {
        mail.macros.set(stage: definition.stage, MacroTable.values(of: definition))
    }

    /// Events that carry message data: stored, then answered if the MTA waits for an answer.
    private mutating func event(_ command: MilterCommand) -> SessionAction {
        if refusing { return .replyAndClose(sequencer.awaitsReply ? [.tempfail] : []) }
        switch command {
        case .connect(let info):
            mail.client = ClientInfo(info)
            return early(.connect(mail.client))
        case .helo(let name):
            mail.helo = name.string
            return early(.helo(mail.helo))
        case .mail(let envelope):
            resetMessageData()
            let entry = EnvelopeEntry(envelope, macros: mail.macros.stage(.mail))
            mail.sender = entry
            return early(.mail(entry))
        case .recipient(let envelope):
            let entry = EnvelopeEntry(envelope, macros: mail.macros.stage(.recipient))
            mail.recipients.append(entry)
            return early(.recipient(entry))
        case .header(let field):
            message.add(field)
        case .body(let chunk):
            return bodyChunk(chunk)
        case .endOfMessage(let chunk):
            if chunk.readableBytes > 0 { message.add(body: chunk) }
            return .classify(completedMail())
        default: break  // DATA, EOH, UNKNOWN: nothing to keep.
        }
        return .reply(sequencer.awaitsReply ? [.continue] : [])
    }

    private mutating func early(_ event: EarlyEvent) -> SessionAction {
        guard sequencer.awaitsReply else { return .reply([]) }
        guard needs.earlyChecks.contains(event.stage) else { return .reply([.continue]) }
        return .check(event, mail)
    }

    private mutating func bodyChunk(_ chunk: ByteBuffer) -> SessionAction {
        message.add(body: chunk)
        guard sequencer.awaitsReply else { return .reply([]) }
        let canSkip = agreed?.protocolFlags.contains(.skip) ?? false
        return .reply([message.isFull && canSkip ? .skip : .continue])
    }

    private func completedMail() -> MailInfo {
        var complete = mail
        complete.headerFields = message.headerFields
        complete.body = message.body
        complete.isBodyTruncated = message.isTruncated
        return complete
    }

    /// The replies for an early check's verdict (`nil`: go on).
    mutating func checked(_ event: EarlyEvent, verdict: Verdict?) throws(MilterProtocolError) -> [MilterReply] {
        guard let verdict else { return try sequenced([.continue]) }
        switch event {
        case .recipient:
            // A refused recipient is not part of the envelope; the rest of the transaction goes on.
            if case .accept = verdict {} else { dropLastRecipient() }
        case .mail:
            if case .accept = verdict {} else { resetTransaction() }
        case .connect, .helo: break
        }
        return try sequenced([verdict.finalReply])
    }

    /// The replies for the end-of-message decision: modifications the MTA granted, then the verdict.
    /// Returns the modifications that had to be dropped because the MTA did not grant them.
    mutating func classified(
        _ decision: Decision
    ) throws(MilterProtocolError) -> (replies: [MilterReply], dropped: [Modification]) {
        let granted = agreed?.actions ?? []
        var replies: [MilterReply] = []
        var dropped: [Modification] = []
        if decision.verdict.keepsModifications {
            for modification in decision.modifications {
                if granted.contains(modification.requiredAction) {
                    replies += modification.replies
                } else {
                    dropped.append(modification)
                }
            }
        }
        var verdict = decision.verdict
        if case .quarantine(let reason) = verdict {
            if granted.contains(.quarantine) {
                replies.append(.quarantine(MilterString(reason)))
            } else {
                verdict = options.failureVerdict
                replies = []
            }
        }
        replies.append(verdict.finalReply)
        resetTransaction()
        return (try sequenced(replies), dropped)
    }

    private mutating func sequenced(_ replies: [MilterReply]) throws(MilterProtocolError) -> [MilterReply] {
        for reply in replies { try sequencer.replyWillBeSent(reply.id) }
        return replies
    }

    private mutating func dropLastRecipient() {
        mail.recipients.removeLast()
        mail.macros.set(stage: MilterCommand.ID.recipient.rawValue, mail.recipients.last?.macros ?? [:])
    }

    private mutating func resetMessageData() {
        message = MessageAssembler(
            budget: options.messageBudget,
            leadingSpaceIncluded: agreed?.protocolFlags.contains(.headerLeadingSpace) ?? false)
    }

    /// ABORT, end of message, QUIT_NC: the transaction's state goes, the connection's stays.
    private mutating func resetTransaction() {
        mail.sender = nil
        mail.recipients = []
        mail.macros.keepOnly(Self.connectionStages)
        resetMessageData()
    }

    private static let connectionStages: Set<UInt8> = [MilterCommand.ID.connect.rawValue, MilterCommand.ID.helo.rawValue]
}
