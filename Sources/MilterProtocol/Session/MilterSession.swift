/// The milter side of a milter conversation as a pure value: which commands may arrive, and
/// which replies the milter may send.
///
/// The owner calls ``commandReceived(_:)`` for each decoded command and acts on the returned
/// ``CommandAction``; before writing a reply it calls ``replyWillBeSent(_:)``, which refuses the
/// replies that desync an MTA: a reply to ABORT, MACRO or QUIT, a reply to an NR event, a second
/// final reply, modifications outside end of message.
public struct MilterSession: Sendable {
    /// What the milter must do with a command.
    public enum CommandAction: Hashable, Sendable {
        /// Send this OPTNEG answer; the agreement is in force from now on.
        case negotiate(answer: OptionNegotiation, agreed: NegotiatedOptions)
        /// Keep these macros for the next command. Never answered (pitfalls 1, 3).
        case macros(MacroDefinition)
        /// Handle the event; then reply as ``ReplyObligation`` says.
        case event(MilterCommand, reply: ReplyObligation)
        /// Drop the transaction's state. Never answered.
        case abort
        /// Close the connection. Never answered.
        case quit
        /// Drop the connection's state; CONNECT follows without OPTNEG (pitfall 17). Never answered.
        case newConnection
    }

    /// Whether and how the milter answers an event.
    public enum ReplyObligation: Hashable, Sendable {
        /// A reply is due.
        case required
        /// The event was negotiated with NR: send nothing (pitfall 7).
        case none
        /// The milter wanted NR but the MTA did not offer it: send CONTINUE at once.
        case automaticContinue
    }

    /// What the milter wants from negotiation.
    public let requirements: MilterRequirements
    /// The agreement, once negotiated.
    public private(set) var options: NegotiatedOptions?
    /// Where the conversation stands.
    public private(set) var phase: SessionPhase = .negotiation
    /// The event a reply is owed for, if any.
    public private(set) var owed: MilterCommand.ID?
    private var lastCommand: MilterCommand.ID?
    /// Whether the MTA offered SMFIP_SKIP (under a version that has it): SKIP may then be sent.
    private var skipOffered = false
    private var bodyReplacement = MTASession.BodyReplacement.none

    /// Creates a session for a milter with these requirements.
    public init(requirements: MilterRequirements) { self.requirements = requirements }

    /// Checks an incoming command and says what to do with it.
    ///
    /// The command is taken (`consuming`): the `event` action hands it back without a copy of its payload.
    public mutating func commandReceived(
        _ command: consuming MilterCommand
    ) throws(MilterProtocolError) -> CommandAction {
        let id = command.id
        try checkOrder(id)
        lastCommand = id
        switch command {
        case .optionNegotiation(let offer):
            let (answer, agreed) = try Negotiation.milterAnswer(to: offer, wanting: requirements)
            skipOffered = Negotiation.offersSkip(offer, version: agreed.version)
            options = agreed
            return .negotiate(answer: answer, agreed: agreed)
        case .macro(let definition): return .macros(definition)
        case .abort: return .abort
        case .quit: return .quit
        case .quitNewConnection: return .newConnection
        default:
            let obligation = obligation(for: id)
            if obligation != .none { owed = id }
            if id == .endOfMessage { bodyReplacement = .none }
            return .event(command, reply: obligation)
        }
    }

    /// Ends the transaction in progress without an ABORT from the MTA, so that a new MAIL may
    /// come: Sendmail sends none after a verdict that left the milter done with the message (a
    /// refused MAIL, ACCEPT at end of headers: `milter_abort_filter` aborts only a filter still in
    /// the message), and libmilter's engine (`mi_engine`) takes a MAIL in the middle of a
    /// transaction as its end, calling the abort callback. Does nothing outside a transaction.
    public mutating func endTransactionWithoutAbort() {
        guard phase.inTransaction, owed == nil else { return }
        phase = .connection
    }

    /// Checks a reply the milter is about to send.
    public mutating func replyWillBeSent(_ reply: MilterReply) throws(MilterProtocolError) {
        guard let step = owed else { throw unowed(reply) }
        switch reply.id {
        case .optionNegotiation: throw unowed(reply)
        case .progress: return
        case .quarantine:
            try requireEndOfMessage(reply, step, action: .quarantine)
            try reply.checkLineBreaks()
        case let id where id.isModification:
            try requireEndOfMessage(reply, step, action: id.requiredAction!)
            try reply.checkHeaderName()
            try reply.checkLineBreaks()
            try trackBodyReplacement(reply)
        default:
            try checkFinal(reply, step)
            owed = nil
            if step == .endOfMessage { bodyReplacement = .none }
        }
    }

    private mutating func checkOrder(_ id: MilterCommand.ID) throws(MilterProtocolError) {
        if let owed {
            throw MilterProtocolError(
                .commandOutOfOrder, commandByte: id.rawValue, detail: "\(id) while the reply to \(owed) is due")
        }
        if id == .optionNegotiation && phase != .negotiation {
            throw MilterProtocolError(.optionNegotiationRepeated, commandByte: id.rawValue)
        }
        if phase == .awaitingConnect && id != .connect && id != .macro && id != .quit {
            throw MilterProtocolError(.connectExpected, commandByte: id.rawValue, detail: "\(id) before CONNECT")
        }
        if let options, (id == .data && !options.version.hasData) || (id == .unknown && !options.version.hasUnknown) {
            throw MilterProtocolError(
                .eventNotInVersion, commandByte: id.rawValue, detail: "\(id) under version \(options.version)")
        }
        guard let next = CommandOrder.next(after: id, from: phase) else {
            throw MilterProtocolError(.commandOutOfOrder, commandByte: id.rawValue, detail: "\(id) during \(phase)")
        }
        phase = next
    }

    private func obligation(for id: MilterCommand.ID) -> ReplyObligation {
        guard let options else { return .required }
        if !options.awaitsReply(to: id) { return .none }
        if let flag = NegotiatedOptions.noReplyFlag(id), options.unofferedFlags.contains(flag) {
            return .automaticContinue
        }
        return .required
    }

    private func requireEndOfMessage(
        _ reply: MilterReply, _ step: MilterCommand.ID, action: MilterActions
    ) throws(MilterProtocolError) {
        guard step == .endOfMessage else {
            throw MilterProtocolError(
                .modificationBeforeEndOfMessage, commandByte: reply.id.rawValue, detail: "\(reply.id) after \(step)")
        }
        guard options?.actions.contains(action) == true else {
            throw MilterProtocolError(
                .modificationNotNegotiated, commandByte: reply.id.rawValue, detail: "\(reply.id) needs \(action)")
        }
    }

    private mutating func trackBodyReplacement(_ reply: MilterReply) throws(MilterProtocolError) {
        if reply.id == .replaceBody {
            guard bodyReplacement != .finished else {
                throw MilterProtocolError(.replaceBodyInterleaved, commandByte: reply.id.rawValue)
            }
            bodyReplacement = .inProgress
        } else if bodyReplacement == .inProgress {
            bodyReplacement = .finished
        }
    }

    private func checkFinal(_ reply: MilterReply, _ step: MilterCommand.ID) throws(MilterProtocolError) {
        switch reply {
        case .replyCode(let text): try ReplyCode.check(text)
        case .skip:
            // As libmilter: SKIP may go when the MTA offered it, whatever the answer echoed.
            guard skipOffered else { throw MilterProtocolError(.skipNotNegotiated, commandByte: reply.id.rawValue) }
            guard step == .body else {
                throw MilterProtocolError(
                    .skipNotAllowedHere, commandByte: reply.id.rawValue, detail: "SKIP after \(step)")
            }
        case .discard where step == .connect || step == .helo:
            throw MilterProtocolError(
                .replyNotAllowedHere, commandByte: reply.id.rawValue, detail: "DISCARD after \(step)")
        default: break
        }
    }

    private func unowed(_ reply: MilterReply) -> MilterProtocolError {
        let byte = reply.id.rawValue
        switch lastCommand {
        case .abort?, .macro?, .quit?, .quitNewConnection?:
            return MilterProtocolError(.replyWhereNoneIsAllowed, commandByte: byte, detail: "after \(lastCommand!)")
        case let event? where options.map({ !$0.awaitsReply(to: event) }) ?? false:
            return MilterProtocolError(.noReplyAwaited, commandByte: byte, detail: "\(event) was negotiated with NR")
        default:
            return MilterProtocolError(.secondReply, commandByte: byte, detail: "\(reply.id) when no reply is owed")
        }
    }
}
