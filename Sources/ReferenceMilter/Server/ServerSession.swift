import MilterProtocol
import NIOCore

/// What the connection must do after a command.
enum SessionAction {
    /// Send these replies in one write (nothing when empty).
    case reply([MilterReply])
    /// Ask the classifier's early check, then call ``ServerSession/checked(_:verdict:)``.
    ///
    /// `indirect`: a ``MailInfo`` is about 200 bytes, and an action is returned (and so copied) for
    /// every command, where this case is rare.
    indirect case check(EarlyEvent, MailInfo)
    /// Classify the message, then call ``ServerSession/classified(_:)``.
    ///
    /// The message is held by reference (one pointer, as an `indirect` case would be): the connection
    /// takes it out of the action without copying it.
    case classify(CompletedMail)
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
    /// Set at the first CONNECT and kept across QUIT_NC (``hasReceivedConnect``).
    private var connectReceived = false
    private var mail = MailInfo()
    private var message: MessageAssembler
    /// What the kept data costs, against the connection's memory budget.
    private let memory: ConnectionMemory
    private var macroCharges = StageSlots<Int>()
    /// The small MACRO packets whose values each stage holds now, as they came: the same packet
    /// again (Postfix sends `i` before every header field) changes nothing and is not converted again.
    private var keptDefinitions = StageSlots<MacroDefinition>()
    /// The small MACRO packets converted lately, whatever their stage: the same pairs again (each
    /// transaction's `i`, in every stage of it) are not converted again.
    private var conversions = MacroConversions(largestCost: Self.keptDefinitionCost)
    private var transactionCharge = 0
    /// The reason of a QUARANTINE an early check gave at CONNECT or HELO: every message of the session gets it.
    private var sessionQuarantine: String?
    /// The reason of a QUARANTINE an early check gave at MAIL or RCPT: this message gets it.
    private var transactionQuarantine: String?
    /// The transaction went over the memory budget: its data is dropped and it gets a tempfail.
    private var overBudget = false
    /// Set when the transaction goes over budget; read once by ``takeBudgetNotice()``.
    private var budgetNotice: BudgetNotice?
    /// The notice of the transaction over budget, kept until it ends (its queue id names the decision line).
    private var overBudgetNotice: BudgetNotice?
    /// Set when a transaction over budget gets its tempfail at end of message; read once by
    /// ``takeBudgetRefusal()`` (to log the message's decision line, count it and tell the observer).
    private var budgetRefusal: BudgetRefusal?
    /// The last end-of-message answer, given again for the same decision.
    private var lastAnswer = EndOfMessageAnswerMemo()

    /// Creates a session; a `refusing` session answers CONNECT with a tempfail and closes (server full).
    init(
        needs: ClassifierNeeds, options: ProtocolOptions, refusing: Bool = false,
        memory: ConnectionMemory = ConnectionMemory(limit: .max, ledger: MemoryLedger(limit: .max))
    ) {
        self.needs = needs
        self.options = options
        self.refusing = refusing
        self.memory = memory
        self.message = MessageAssembler(
            budget: options.messageBudget, hardCap: options.maximumMessageBytes, leadingSpaceIncluded: false)
    }

    /// Whether a message is in progress (after MAIL, before end of message or ABORT).
    var isInsideMessage: Bool { mail.sender != nil }

    /// The agreement, once negotiated.
    var agreed: NegotiatedOptions? { milter.options }

    /// Whether a CONNECT has come on this connection: its handshake is over. It stays so after QUIT_NC, where
    /// the MTA reuses the connection for its next session, which the idle timeout bounds, not the handshake's.
    var hasReceivedConnect: Bool { connectReceived || milter.phase > .awaitingConnect }

    /// Handles one command from the MTA.
    mutating func receive(_ command: consuming MilterCommand) throws(MilterProtocolError) -> SessionAction {
        if case .optionNegotiation(let offer) = command, milter.phase == .negotiation {
            // The requirements depend on what the MTA offers: ask only for offered actions.
            milter = MilterSession(
                requirements: refusing
                    ? NegotiationPolicy.refusing
                    : NegotiationPolicy.requirements(needs: needs, options: options, offer: offer))
        }
        if milter.phase.inTransaction, milter.owed == nil, startsTransaction(command) {
            // Sendmail sends no ABORT after a verdict that left the milter done with the message; the
            // next MAIL (or its MACRO packet) ends that transaction, as libmilter's engine does it.
            resetTransaction()
            milter.endTransactionWithoutAbort()
        }
        switch try milter.commandReceived(command) {
        case .negotiate(let answer, let agreed):
            resetMessageData(leadingSpace: agreed.protocolFlags.contains(.headerLeadingSpace))
            return .reply([.optionNegotiation(answer)])
        case .macros(let definition):
            try keepMacros(definition)
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
            sessionQuarantine = nil
            macroCharges.clearAll { memory.release($0) }
            keptDefinitions.clearAll()
            mail.removeAll()
            return .reply([])
        case .quit:
            return .close
        }
    }

    /// Whether `command` opens a transaction: MAIL, or the MACRO packet of MAIL's stage before it.
    private func startsTransaction(_ command: MilterCommand) -> Bool {
        switch command {
        case .mail: true
        case .macro(let definition): definition.stage == MilterCommand.ID.mail.rawValue
        default: false
        }
    }

    /// Events that carry message data: stored, then answered if the MTA waits for an answer.
    private mutating func event(_ command: MilterCommand) throws(MilterProtocolError) -> SessionAction {
        if refusing { return .replyAndClose(awaitsReply ? [.tempfail] : []) }
        if case .mail = command { startTransaction() }
        if overBudget, isInsideMessage { return overBudgetReply(command) }
        switch command {
        case .connect(let info):
            connectReceived = true
            mail.client = ClientInfo(info)
            return early(.connect(mail.client))
        case .helo(let name):
            mail.helo = name.string
            return early(.helo(mail.helo))
        case .mail(let envelope):
            let macros = mail.macros.stageValues(.mail)
            let entry = EnvelopeEntry(envelope, values: macros)
            mail.sender = entry
            guard keep(MemoryCost.envelope(envelope, macros: macros)) else { return overBudgetReply(command) }
            return early(.mail(entry))
        case .recipient(let envelope):
            let macros = mail.macros.stageValues(.recipient)
            guard keep(MemoryCost.envelope(envelope, macros: macros)) else { return overBudgetReply(command) }
            let entry = EnvelopeEntry(envelope, values: macros)
            mail.recipients.append(entry)
            return early(.recipient(entry))
        case .header(let field):
            guard keep(MemoryCost.header(field)) else { return overBudgetReply(command) }
            message.add(field)
        case .body(let chunk):
            return bodyChunk(chunk)
        case .endOfMessage(let chunk):
            if chunk.readableBytes > 0 { keepBody(chunk) }
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
        keepBody(chunk)
        guard awaitsReply else { return .reply([]) }
        let canSkip = agreed?.protocolFlags.contains(.skip) ?? false
        return .reply([(message.isFull || memory.room == 0) && canSkip ? .skip : .continue])
    }

    /// The body is cut where the memory budget ends, as by `--truncate`: the message is still classified.
    private mutating func keepBody(_ chunk: ByteBuffer) {
        let fitting = min(chunk.readableBytes, message.bodyRoom, memory.room)
        message.add(body: chunk, keeping: fitting > 0 && keep(fitting) ? fitting : 0)
    }

    /// Charges the transaction with `cost`; on refusal the transaction is over budget.
    private mutating func keep(_ cost: Int) -> Bool {
        guard memory.charge(cost) else {
            goOverBudget()
            return false
        }
        transactionCharge += cost
        return true
    }

    /// A transaction over its budget keeps nothing more; every reply it owes is a tempfail.
    private mutating func overBudgetReply(_ command: MilterCommand) -> SessionAction {
        guard case .endOfMessage = command else { return .reply(awaitsReply ? [.tempfail] : []) }
        budgetRefusal = BudgetRefusal(notice: overBudgetNotice ?? BudgetNotice(macros: mail.macros), mail: mail)
        resetTransaction()
        return .reply([.tempfail])
    }

    /// MAIL starts a transaction afresh: what an earlier one kept (and its budget state) goes, its macros stay.
    private mutating func startTransaction() {
        mail.recipients = []
        overBudget = false
        overBudgetNotice = nil
        resetMessageData()
        // After the data is gone: a large release asks the allocator to return the pages.
        memory.release(transactionCharge)
        transactionCharge = 0
    }

    /// The transaction is over budget from now on; the notice keeps the queue id known now, `pending`
    /// (a MACRO packet's values that could not be kept) included.
    private mutating func goOverBudget(pending: MacroValues = MacroValues()) {
        overBudget = true
        budgetNotice = BudgetNotice(macros: mail.macros, pending: pending)
        overBudgetNotice = budgetNotice
    }

    /// Whether ``takeBudgetNotice()`` or ``takeBudgetRefusal()`` has something to give: a look at two tags,
    /// where taking copies a ``MailInfo``-sized optional out and back.
    var hasBudgetNews: Bool { budgetNotice != nil || budgetRefusal != nil }

    /// The notice if the transaction went over the memory budget since the last call (to log it once).
    mutating func takeBudgetNotice() -> BudgetNotice? {
        defer { budgetNotice = nil }
        return budgetNotice
    }

    /// The transaction over budget that got its tempfail at end of message since the last call.
    mutating func takeBudgetRefusal() -> BudgetRefusal? {
        defer { budgetRefusal = nil }
        return budgetRefusal
    }

    /// A MACRO packet replaces its stage's macros; the stage must be a command that takes macros. Its slot
    /// is found once, for the five reads and writes of the stage's state.
    private mutating func keepMacros(_ definition: MacroDefinition) throws(MilterProtocolError) {
        guard let slot = MacroTable.slot(of: definition.stage) else {
            throw MilterProtocolError(
                .malformedPayload, commandByte: MilterCommand.ID.macro.rawValue,
                detail: "macros for an unknown stage \(Redaction.describe(byte: definition.stage))")
        }
        if keptDefinitions[slot: slot] == definition { return }
        keptDefinitions[slot: slot] = nil
        let (values, cost) = conversions.values(of: definition)
        memory.release(macroCharges.take(slot: slot) ?? 0)
        guard memory.charge(cost) || (isInsideMessage && makeRoomInBody(for: cost)) else {
            // Before the stage's macros go: the queue id may be among them. A transaction already over budget
            // has had its notice (one per transaction); a queue id first sent now still names its decision line.
            if isInsideMessage, !overBudget {
                goOverBudget(pending: values)
            } else if isInsideMessage, overBudgetNotice?.queueID == nil {
                overBudgetNotice = BudgetNotice(macros: mail.macros, pending: values)
            }
            mail.macros.set(slot: slot, MacroValues())
            return
        }
        macroCharges[slot: slot] = cost
        mail.macros.set(slot: slot, values)
        if cost <= Self.keptDefinitionCost { keptDefinitions[slot: slot] = definition }
    }

    /// A MACRO packet after the body (end of message's, Postfix's `i`) finds the budget spent when the
    /// body was cut at it: the body gives back what the macros cost, so the message is still classified
    /// with its body cut, as the documentation of `--memory-budget` says (it got a tempfail for want of a
    /// few bytes). Returns whether the macros were charged.
    private mutating func makeRoomInBody(for cost: Int) -> Bool {
        guard cost <= transactionCharge, message.cutBody(by: cost) else { return false }
        memory.release(cost)
        transactionCharge -= cost
        // The caller books the charge as the stage's macros (macroCharges), not as the transaction's data.
        return memory.charge(cost)
    }

    /// Drops the data and gives back all memory the session holds (the connection closed).
    mutating func releaseMemory() {
        // Emptied, not replaced by a new `MailInfo()`, whose storage the handler's deinit would free right after.
        mail.removeAll()
        resetMessageData()
        macroCharges.clearAll()
        keptDefinitions.clearAll()
        conversions = MacroConversions(largestCost: Self.keptDefinitionCost)
        transactionCharge = 0
        memory.releaseAll()
    }

    private func completedMail() -> CompletedMail {
        var complete = mail
        complete.headerFields = message.headerFields
        complete.body = message.body
        complete.isBodyTruncated = message.isTruncated
        return CompletedMail(complete)
    }

    /// The replies for an early check's verdict (`nil`: go on).
    ///
    /// QUARANTINE exists only at end of message, so an early one is held (for the session at CONNECT
    /// and HELO, for the message at MAIL and RCPT) and applied to the message's decision there. ACCEPT at
    /// RCPT accepts that recipient: the message goes on to classification (the ACCEPT reply would end
    /// the milter's part in the whole message, every recipient's).
    mutating func checked(_ event: EarlyEvent, verdict: Verdict?) throws(MilterProtocolError) -> [MilterReply] {
        guard let verdict else { return try sequenced([.continue]) }
        switch (event, verdict) {
        case (.connect, .quarantine(let reason)), (.helo, .quarantine(let reason)):
            sessionQuarantine = reason
            return try sequenced([.continue])
        case (.mail, .quarantine(let reason)), (.recipient, .quarantine(let reason)):
            transactionQuarantine = reason
            return try sequenced([.continue])
        case (.recipient, .accept):
            return try sequenced([.continue])
        case (.connect, .discard), (.helo, .discard):
            // DISCARD is message-level only (Postfix ignores it here): the session goes on.
            return try sequenced([.continue])
        case (.recipient, _):
            // A refused recipient is not part of the envelope; the rest of the transaction goes on.
            dropLastRecipient()
        case (.mail, .accept):
            break
        case (.mail, _):
            resetTransaction()
        default:
            break
        }
        return try sequenced([verdict.finalReply])
    }

    /// `decision` with a quarantine an early check asked for: an accepted message is quarantined
    /// (its modifications kept); a refusal, a discard or the classifier's own quarantine stand.
    private func withEarlyQuarantine(_ decision: Decision) -> Decision {
        guard case .accept = decision.verdict, let reason = transactionQuarantine ?? sessionQuarantine else {
            return decision
        }
        return Decision(.quarantine(reason), reason: decision.reason, modifications: decision.modifications)
    }

    /// The answer to the end-of-message decision (``EndOfMessageAnswer``): the modifications the MTA
    /// granted, then the verdict, or the failure verdict alone if the decision cannot be sent. The same decision
    /// as the last one gets the same answer again (``EndOfMessageAnswerMemo``).
    mutating func classified(_ decision: Decision) throws(MilterProtocolError) -> EndOfMessageAnswer {
        let decision = withEarlyQuarantine(decision)
        resetTransaction()
        if let answer = lastAnswer.answer(to: decision, session: &milter) { return answer }
        let answer = try EndOfMessageAnswer.answering(
            decision, failureVerdict: options.failureVerdict, session: &milter)
        lastAnswer.remember(answer, session: milter)
        return answer
    }

    private mutating func sequenced(_ replies: [MilterReply]) throws(MilterProtocolError) -> [MilterReply] {
        for reply in replies { try milter.replyWillBeSent(reply) }
        return replies
    }

    private mutating func dropLastRecipient() {
        guard !mail.recipients.isEmpty else { return }
        mail.recipients.removeLast()
        mail.macros.set(stage: MilterCommand.ID.recipient.rawValue, mail.recipients.last?.macroValues ?? MacroValues())
        keptDefinitions[MilterCommand.ID.recipient.rawValue] = nil
    }

    private mutating func resetMessageData(leadingSpace: Bool? = nil) {
        message = MessageAssembler(
            budget: options.messageBudget, hardCap: options.maximumMessageBytes,
            leadingSpaceIncluded: leadingSpace ?? agreed?.protocolFlags.contains(.headerLeadingSpace) ?? false)
    }

    /// ABORT, end of message, QUIT_NC: the transaction's state goes, the connection's stays.
    private mutating func resetTransaction() {
        transactionQuarantine = nil
        mail.sender = nil
        mail.recipients = []
        mail.macros.removeTransactionStages()
        keptDefinitions.clearTransactionStages()
        // Given back together: the ledger's lock once, not once per stage (Postfix sends macros for seven of them).
        var macroCharge = 0
        macroCharges.clearTransactionStages { macroCharge += $0 }
        memory.release(macroCharge)
        overBudget = false
        overBudgetNotice = nil
        resetMessageData()
        memory.release(transactionCharge)
        transactionCharge = 0
    }

    /// The largest macro cost (``MemoryCost/macros(_:)``) whose packet is kept to recognise a repeat:
    /// the copy is not charged to the budget, so it stays small.
    private static let keptDefinitionCost = 256
}
