/// The MTA side of a milter conversation as a pure value: what may be sent next, and whether each
/// reply from the milter is legal.
///
/// The owner calls ``commandToSend(_:)`` before writing each command and acts on the decision,
/// and ``replyReceived(_:)`` for each reply read. Every rule the milter breaks is thrown as a
/// ``MilterProtocolError`` whose code names the rule; the caller then applies its default action
/// (Postfix: tempfail) and does not trust the stream again.
public struct MTASession: Hashable, Sendable {
    /// What to do with a command the MTA is about to send.
    public enum SendDecision: Hashable, Sendable {
        /// Send it and read replies until a final one.
        case sendAndAwaitReply
        /// Send it; no reply comes (MACRO, ABORT, QUIT, QUIT_NC, or an NR event).
        case sendWithoutReply
        /// Do not send the event (NO flag, later version, or SKIP); after a NO flag its macros still go
        /// (pitfall 4), after SKIP not (``MTASession/skips(_:)``).
        case skipEvent
    }

    /// What a legal reply means to the MTA.
    public enum ReplyDisposition: Hashable, Sendable {
        /// The OPTNEG answer was accepted.
        case negotiated(NegotiatedOptions, warnings: [MilterProtocolError])
        /// PROGRESS: reset the timeout and keep reading.
        case progress
        /// QUARANTINE: hold the message; keep reading.
        case quarantine(MilterString)
        /// A modification at end of message, to apply in order; keep reading.
        case modification(MilterReply)
        /// The final reply of the step.
        case final(MilterReply)
    }

    /// The rules of the MTA being played.
    public let rules: MTARules
    /// The agreement, once negotiated.
    public private(set) var options: NegotiatedOptions?
    /// Where the conversation stands.
    public private(set) var phase: SessionPhase = .negotiation
    /// The command whose final reply is awaited, if any.
    public private(set) var awaiting: MilterCommand.ID?
    private var offer: OptionNegotiation?
    private var lastSent: MilterCommand.ID?
    private var lastEvent: MilterCommand.ID?
    /// The type of event left out after SKIP, if any: BODY after SKIP at a body chunk, until a
    /// command other than BODY goes. Under ``MTARules/skipsEventType`` (Postfix) the type of the event
    /// SKIP answered, whatever it was, until an event of another type goes; under
    /// ``MTARules/takesSkipBeforeBody`` (Sendmail) BODY after SKIP at any command, until end of
    /// message (headers and EOH still go).
    public private(set) var skippedEvent: MilterCommand.ID?
    /// Whether BODY chunks are left out (``skippedEvent`` is BODY).
    public var skippingBody: Bool { skippedEvent == .body }
    /// A rule the last reply broke that the MTA's rules let go (Sendmail takes the reply, perhaps
    /// logging it): the owner takes the reply and reports this as a warning. Set by each
    /// ``replyReceived(_:)``.
    public private(set) var lastReplyWarning: MilterProtocolError?
    private var bodyReplacement = BodyReplacement.none

    enum BodyReplacement: Hashable, Sendable { case none, inProgress, finished }

    /// Creates a session for an MTA following `rules`.
    public init(rules: MTARules = .postfix) { self.rules = rules }

    /// Takes where `other` stands in the conversation (phase, awaited reply, last command and event,
    /// skipped event, last warning, body replacement), keeping this session's rules and negotiation,
    /// which must be `other`'s: for a connection taking the state a recorded transaction left, whose
    /// negotiation is its own. Field by field: a whole session copies the negotiation's arrays,
    /// retaining and releasing their references, for every transaction.
    package mutating func adoptConversation(of other: MTASession) {
        assert(rules == other.rules && options == other.options && offer == other.offer)
        phase = other.phase
        awaiting = other.awaiting
        lastSent = other.lastSent
        lastEvent = other.lastEvent
        skippedEvent = other.skippedEvent
        lastReplyWarning = other.lastReplyWarning
        bodyReplacement = other.bodyReplacement
    }

    /// Checks a command the MTA is about to send and says how to send it.
    public mutating func commandToSend(_ command: MilterCommand) throws(MilterProtocolError) -> SendDecision {
        let id = command.id
        let next = try phase(after: id)
        if case .optionNegotiation(let offer) = command { self.offer = offer }
        if skips(id) {
            phase = next
            return .skipEvent
        }
        if endsSkip(id) { skippedEvent = nil }
        phase = next
        if id == .endOfMessage { bodyReplacement = .none }
        // A skipped event never reached the milter, so a stray reply is judged by what did.
        if let options, !options.sends(id) { return .skipEvent }
        lastSent = id
        if id != .macro { lastEvent = id }
        if id == .optionNegotiation || options?.awaitsReply(to: id) == true {
            awaiting = id
            return .sendAndAwaitReply
        }
        return .sendWithoutReply
    }

    /// Notes a command the MTA leaves out of its own accord, though the milter asked for it: the
    /// conversation moves on as if it had gone, with no reply due, and a later stray reply is judged
    /// by the commands that did go. Postfix does this after a QUARANTINE before the content
    /// (`milter8_event` answers with the milter's persistent reply without sending anything).
    public mutating func commandWithheld(_ id: MilterCommand.ID) throws(MilterProtocolError) {
        phase = try phase(after: id)
    }

    /// Notes that the MTA ended the transaction without ABORT: the next MAIL may go. Sendmail does
    /// this when the milter is done with the message (an ACCEPT, a verdict on the content): its
    /// `milter_abort` writes only to a milter in the message, and `milter_envfrom` resets the others.
    public mutating func transactionEndedWithoutAbort() {
        guard awaiting == nil, phase.inTransaction else { return }
        phase = .connection
        skippedEvent = nil
    }

    /// Whether `id` is left out after SKIP (``skippedEvent``): neither it nor its macros go.
    public func skips(_ id: MilterCommand.ID) -> Bool { id == skippedEvent }

    /// The phase `id` moves the conversation to, if it may go now.
    private func phase(after id: MilterCommand.ID) throws(MilterProtocolError) -> SessionPhase {
        if let awaiting {
            throw MilterProtocolError(
                .commandOutOfOrder, commandByte: id.rawValue, detail: "\(id) sent while the reply to \(awaiting) is due"
            )
        }
        guard let next = CommandOrder.next(after: id, from: phase) else {
            throw MilterProtocolError(.commandOutOfOrder, commandByte: id.rawValue, detail: "\(id) during \(phase)")
        }
        return next
    }

    /// Whether `id`, not itself skipped, ends the skip. Postfix's `milter8_event` resets
    /// `skip_event_type` at the first event of another type that it is called for: not MACRO, ABORT or
    /// QUIT, which it writes on its own, nor an event outside the agreed version (`np_mask`, checked
    /// first), nor a content event the milter switched off (no callback is made for it). Sendmail's
    /// `milter_headers` goes on sending headers after SKIP at one (it stops only on a verdict),
    /// `milter_data` sends EOH, and `milter_body` sends no chunk while the milter is in `SMFS_SKIP`.
    private func endsSkip(_ id: MilterCommand.ID) -> Bool {
        guard skippedEvent != nil else { return false }
        if rules.skipsEventType {
            switch id {
            case .macro, .abort, .quit, .quitNewConnection: return false
            case .data: return options?.version.hasData ?? true
            case .unknown: return options?.version.hasUnknown ?? true
            case .header, .endOfHeaders, .body: return options?.sends(id) ?? true
            default: return true
            }
        }
        guard rules.takesSkipBeforeBody else { return id != .macro }
        return id != .header && id != .endOfHeaders && id != .macro
    }

    /// Checks a reply from the milter.
    public mutating func replyReceived(_ reply: MilterReply) throws(MilterProtocolError) -> ReplyDisposition {
        lastReplyWarning = nil
        guard let step = awaiting else { throw unexpected(reply) }
        if step == .optionNegotiation { return try negotiation(reply) }
        switch reply.id {
        case .progress:
            if rules.progressOnlyAtEndOfMessage && step != .endOfMessage { throw notHere(reply, step) }
            return .progress
        case .quarantine:
            guard case .quarantine(let reason) = reply else { return .progress }
            if rules.quarantineOnlyAtEndOfMessage && step != .endOfMessage { throw notHere(reply, step) }
            try requireNegotiated(.quarantine, for: reply)
            try reply.checkLineBreaks()
            return .quarantine(reason)
        case let id where id.isModification:
            try checkModification(reply, at: step)
            return .modification(reply)
        default:
            try checkFinal(reply, at: step)
            finish(reply, at: step)
            return .final(reply)
        }
    }

    private mutating func negotiation(_ reply: MilterReply) throws(MilterProtocolError) -> ReplyDisposition {
        guard case .optionNegotiation(let answer) = reply, let offer else {
            throw MilterProtocolError(
                .negotiationExpected, commandByte: reply.id.rawValue, detail: "\(reply.id) instead of OPTNEG")
        }
        let (agreed, warnings) = try Negotiation.mtaAgreement(offer: offer, answer: answer)
        options = agreed
        awaiting = nil
        return .negotiated(agreed, warnings: warnings)
    }

    private mutating func checkModification(_ reply: MilterReply, at step: MilterCommand.ID) throws(MilterProtocolError)
    {
        guard step == .endOfMessage else {
            throw MilterProtocolError(
                .modificationBeforeEndOfMessage, commandByte: reply.id.rawValue, detail: "\(reply.id) after \(step)")
        }
        if let action = reply.id.requiredAction { try requireNegotiated(action, for: reply) }
        try reply.checkHeaderName()
        try reply.checkLineBreaks()
        if reply.id == .replaceBody {
            if bodyReplacement == .finished {
                throw MilterProtocolError(
                    .replaceBodyInterleaved, commandByte: reply.id.rawValue,
                    detail: "REPLBODY resumed after another modification")
            }
            bodyReplacement = .inProgress
        } else if bodyReplacement == .inProgress {
            bodyReplacement = .finished
        }
    }

    private mutating func checkFinal(_ reply: MilterReply, at step: MilterCommand.ID) throws(MilterProtocolError) {
        switch reply {
        case .optionNegotiation: throw unexpected(reply)
        case .replyCode(let text) where rules.checksOnlyReplyCodeStart:
            try ReplyCode.postfixCheck(text)
            lastReplyWarning = Self.postfixReplyCodeWarning(text)
        case .replyCode(let text) where step == .connect && rules.keepsOnlyReplyCodeVerdictAtConnect:
            lastReplyWarning = Self.sendmailConnectReplyCodeWarning(text)
        case .replyCode(let text):
            guard rules.replacesInvalidReplyCode else { return try ReplyCode.check(text) }
            lastReplyWarning = Self.sendmailReplyCodeWarning(text, at: step)
        case .skip: lastReplyWarning = try skipWarning(at: step)
        case .discard where (step == .connect || step == .helo) && !rules.ignoresDiscardAtConnection:
            guard rules.takesDiscardAtConnection else { throw notHere(reply, step) }
            // milter_connect ends the milter on any verdict; srvrsmtp.c's switches have no DISCARD case.
            let consequence =
                step == .connect
                ? "Sendmail sends QUIT and goes on with the session unfiltered" : "Sendmail ignores it"
            lastReplyWarning = notHere(reply, step, consequence)
        case .connectionFailure where !rules.acceptsConnectionFailure: throw notHere(reply, step)
        case .shutdown where !rules.acceptsShutdown: throw notHere(reply, step)
        default: break
        }
    }

    /// Checks SKIP at `step`: `nil` if it is fine, the warning if the rules take it all the same.
    private func skipWarning(at step: MilterCommand.ID) throws(MilterProtocolError) -> MilterProtocolError? {
        // The MTA's offer decides, not the milter's answer: libmilter sends SKIP whenever the MTA
        // offered it, and echoes the bit only from a negotiate callback.
        let offered = offer.flatMap { offer in options.map { Negotiation.offersSkip(offer, version: $0.version) } }
        let skip = MilterReply.skip
        if rules.skipsEventType {
            // Postfix's milter8_event takes SKIP at any event and never checks that it offered it.
            let consequence = Self.postfixSkipConsequence(at: step)
            guard offered == true else {
                return MilterProtocolError(
                    .skipNotNegotiated, commandByte: skip.id.rawValue, detail: "SKIP after \(step): \(consequence)")
            }
            return step == .body ? nil : notHere(skip, step, consequence)
        }
        guard offered == true else {
            throw MilterProtocolError(.skipNotNegotiated, commandByte: skip.id.rawValue, detail: "SKIP after \(step)")
        }
        guard step != .body else { return nil }
        guard rules.takesSkipBeforeBody, step != .endOfMessage else { throw notHere(skip, step) }
        return notHere(skip, step, Self.sendmailSkipConsequence(at: step))
    }

    private mutating func finish(_ reply: MilterReply, at step: MilterCommand.ID) {
        awaiting = nil
        if reply == .skip { skippedEvent = rules.skipsEventType ? step : .body }
        let connectionLevel = step == .connect || step == .helo
        switch reply {
        case .shutdown, .connectionFailure: phase = .closed
        case .discard where step == .connect && rules.takesDiscardAtConnection: phase = .closed
        case .accept, .reject, .tempfail, .replyCode:
            if connectionLevel { phase = .closed }
        default: break
        }
    }

    /// Checks that the milter negotiated `action`; with ``MTARules/honoursUnnegotiatedModifications``
    /// a missing one is a warning, as in Sendmail's `milter_data` and Postfix's `milter8_event`.
    private mutating func requireNegotiated(
        _ action: MilterActions, for reply: MilterReply
    )
        throws(MilterProtocolError)
    {
        do {
            try requireAction(action, for: reply)
        } catch {
            guard rules.honoursUnnegotiatedModifications else { throw error }
            var warning = error
            let name = rules.mtaName
            let refused = reply.id == .replaceBody && rules.refusesUnnegotiatedBodyReplacement
            warning.detail? +=
                refused ? ": \(name) refuses the body and tempfails the message" : ": \(name) honours it anyway"
            lastReplyWarning = warning
        }
    }

    private func requireAction(_ action: MilterActions, for reply: MilterReply) throws(MilterProtocolError) {
        guard options?.actions.contains(action) == true else {
            throw MilterProtocolError(
                .modificationNotNegotiated, commandByte: reply.id.rawValue, detail: "\(reply.id) needs \(action)")
        }
    }

    private func notHere(
        _ reply: MilterReply, _ step: MilterCommand.ID, _ consequence: String? = nil
    )
        -> MilterProtocolError
    {
        let detail = "\(reply.id) after \(step)" + (consequence.map { ": \($0)" } ?? "")
        return MilterProtocolError(.replyNotAllowedHere, commandByte: reply.id.rawValue, detail: detail)
    }

    private func unexpected(_ reply: MilterReply) -> MilterProtocolError {
        let byte = reply.id.rawValue
        if let event = lastEvent, let options, options.sends(event), !options.awaitsReply(to: event),
            event != .abort, event != .quit, event != .quitNewConnection
        {
            return MilterProtocolError(
                .replyDespiteNoReply, commandByte: byte, detail: "\(reply.id) after \(event), negotiated without reply")
        }
        switch lastSent {
        case .abort?, .macro?, .quit?, .quitNewConnection?:
            return MilterProtocolError(
                .replyToNoReplyCommand, commandByte: byte, detail: "\(reply.id) after \(lastSent!), which takes none")
        default:
            return MilterProtocolError(.unsolicitedReply, commandByte: byte, detail: "\(reply.id) when no reply is due")
        }
    }
}
