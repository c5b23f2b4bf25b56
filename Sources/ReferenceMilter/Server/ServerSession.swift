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
    /// The sequencing rules; replaced at OPTNEG by one that asks for what this offer allows.
    private var milter = MilterSession(requirements: MilterRequirements())
    private var awaitsReply = false
    private var mail = MailInfo()
    private var message: MessageAssembler

    /// Creates a session; a `refusing` session answers CONNECT with a tempfail and closes (server full).
    init(needs: ClassifierNeeds, options: ProtocolOptions, refusing: Bool = false) {
        self.needs = needs
        self.options = options
        self.refusing = refusing
        self.message = MessageAssembler(
            budget: options.messageBudget, hardCap: options.maximumMessageBytes, leadingSpaceIncluded: false)
    }

    /// Whether a message is in progress (after MAIL, before end of message or ABORT).
    var isInsideMessage: Bool { mail.sender != nil }

    /// The agreement, once negotiated.
    var agreed: NegotiatedOptions? { milter.options }

    /// Handles one command from the MTA.
    mutating func receive(_ command: MilterCommand) throws(MilterProtocolError) -> SessionAction {
        if case .optionNegotiation(let offer) = command, milter.phase == .negotiation {
            // The requirements depend on what the MTA offers: ask only for offered actions.
            milter = MilterSession(
                requirements: refusing
                    ? NegotiationPolicy.refusing
                    : NegotiationPolicy.requirements(needs: needs, options: options, offer: offer))
        }
        switch try milter.commandReceived(command) {
        case .negotiate(let answer, let agreed):
            resetMessageData(leadingSpace: agreed.protocolFlags.contains(.headerLeadingSpace))
            return .reply([.optionNegotiation(answer)])
        case .macros(let definition):
            mail.macros.set(stage: definition.stage, MacroTable.values(of: definition))
            return .reply([])
        case .event(let event, let obligation):
            awaitsReply = obligation != .none
            switch try self.event(event) {
            case .reply(let replies): return .reply(try sequenced(replies))
            case .replyAndClose(let replies): return .replyAndClose(try sequenced(replies))
            case let other: return other
            }
        case .abort:
            resetTransaction()
            return .reply([])
        case .newConnection:
            resetTransaction()
            mail = MailInfo()
            return .reply([])
        case .quit:
            return .close
        }
    }

    /// Events that carry message data: stored, then answered if the MTA waits for an answer.
    private mutating func event(_ command: MilterCommand) throws(MilterProtocolError) -> SessionAction {
        if refusing { return .replyAndClose(awaitsReply ? [.tempfail] : []) }
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
        return .reply(awaitsReply ? [.continue] : [])
    }

    private mutating func early(_ event: EarlyEvent) -> SessionAction {
        guard awaitsReply else { return .reply([]) }
        guard needs.earlyChecks.contains(event.stage) else { return .reply([.continue]) }
        return .check(event, mail)
    }

    private mutating func bodyChunk(_ chunk: ByteBuffer) -> SessionAction {
        message.add(body: chunk)
        guard awaitsReply else { return .reply([]) }
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
        case .connect, .helo:
            // DISCARD is message-level only (Postfix ignores it here): the session goes on.
            if case .discard = verdict { return try sequenced([.continue]) }
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
        for reply in replies { try milter.replyWillBeSent(reply) }
        return replies
    }

    private mutating func dropLastRecipient() {
        mail.recipients.removeLast()
        mail.macros.set(stage: MilterCommand.ID.recipient.rawValue, mail.recipients.last?.macros ?? [:])
    }

    private mutating func resetMessageData(leadingSpace: Bool? = nil) {
        message = MessageAssembler(
            budget: options.messageBudget, hardCap: options.maximumMessageBytes,
            leadingSpaceIncluded: leadingSpace ?? agreed?.protocolFlags.contains(.headerLeadingSpace) ?? false)
    }

    /// ABORT, end of message, QUIT_NC: the transaction's state goes, the connection's stays.
    private mutating func resetTransaction() {
        mail.sender = nil
        mail.recipients = []
        mail.macros.keepOnly(Self.connectionStages)
        resetMessageData()
    }

    private static let connectionStages: Set<UInt8> = [
        MilterCommand.ID.connect.rawValue, MilterCommand.ID.helo.rawValue,
    ]
}
