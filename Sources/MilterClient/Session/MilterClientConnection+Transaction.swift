import MailMessage
import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// The longest BODY chunk: 65535 bytes, as Postfix and Sendmail send.
    public static let bodyChunkSize = 65_535

    /// Starts a transaction with MAIL FROM.
    @discardableResult
    public func mail(_ sender: EnvelopeAddress) async -> StepRecord {
        beginMail(sender)
        return await step(.mail(sender))
    }

    /// Sends RCPT TO. A refusal affects only this recipient (pitfall 9).
    @discardableResult
    public func recipient(_ recipient: EnvelopeAddress) async -> StepRecord {
        context.recipient = recipient
        let record = await step(.recipient(recipient), recipientLevel: true)
        endRecipient(recipient, record)
        return record
    }

    /// Sends DATA; without an accepted recipient the MTA refuses the message instead.
    @discardableResult
    public func data() async -> StepRecord {
        beginData()
        return await step(.data)
    }

    /// Sends one header field as the MTA would: folding with LF, the leading space rule.
    @discardableResult
    public func header(_ field: RawHeaderField) async -> StepRecord {
        await step(headerCommand(field, prepared: nil))
    }

    /// Sends EOH.
    @discardableResult
    public func endOfHeaders() async -> StepRecord { await step(.endOfHeaders) }

    /// Sends a body as the MTA would: CRLF line ends, chunks of 65535 bytes, stopping after SKIP
    /// or a verdict.
    @discardableResult
    public func body(_ content: [UInt8]) async -> [StepRecord] {
        let wire = MessageWireForm(headerFields: [], body: content)
        beginBody(wire.body)
        var records: [StepRecord] = []
        for chunk in wire.bodyChunks {
            let record = await step(.body(chunk))
            records.append(record)
            if bodyStops(after: record) { break }
        }
        return records
    }

    /// Sends end of message and reads the modifications and the final reply.
    @discardableResult
    public func endOfMessage() async -> StepRecord {
        let record = await step(.endOfMessage(ByteBuffer()))
        endEndOfMessage()
        return record
    }

    /// Ends the transaction (sending ABORT where the profile does) and returns its result.
    public func finishTransaction() async -> TransactionResult {
        if needsAbort { transaction.collect(await perform(.abort, macros: nil)) }
        return closeTransaction()
    }

    /// Abandons the transaction at any point, as an SMTP client's RSET does: sends ABORT and
    /// returns what happened so far (``TransactionResult/wasAborted`` unless a verdict came first).
    public func abort() async -> TransactionResult { await finishTransaction() }

    /// One step of the transaction: sent unless the transaction already ended.
    func step(_ command: MilterCommand, recipientLevel: Bool = false) async -> StepRecord {
        if let record = stepAfterEnding(command.id) { return record }
        let record = await perform(command, macros: MacroEvent(command: command.id))
        settleStep(record, recipientLevel: recipientLevel)
        return record
    }

    // MARK: The halves of the steps that never wait, shared with ``send(_:)``.

    func beginMail(_ sender: EnvelopeAddress) {
        transaction.start = transaction.start ?? .now
        transaction.sender = sender
        context.queueID = queueID
        context.sender = sender
    }

    func endRecipient(_ recipient: EnvelopeAddress, _ record: StepRecord) {
        guard transaction.ending == nil || transaction.ending == .delivered else { return }
        if let reply = record.smtpReply, record.finding == nil {
            transaction.rejectedRecipients.append((recipient, reply))
        } else {
            transaction.acceptedRecipients.append(recipient)
        }
    }

    func beginData() {
        if transaction.ending == nil, transaction.acceptedRecipients.isEmpty {
            transaction.ending = .refused(configuration.profile.replies.noValidRecipients)
        }
    }

    /// The HEADER command for a field; `prepared` is its payload for a milter without SMFIP_HDR_LEADSPC.
    func headerCommand(_ field: RawHeaderField, prepared: HeaderField?) -> MilterCommand {
        if configuration.buildsResultingMessage { transaction.headerFields.append(field) }
        let keepSpace = options?.protocolFlags.contains(.headerLeadingSpace) ?? false
        let payload = keepSpace ? nil : prepared
        return .header(payload ?? MessageWireForm.header(field, keepLeadingSpace: keepSpace))
    }

    func beginBody(_ crlf: [UInt8]) {
        if configuration.buildsResultingMessage { transaction.body += crlf }
    }

    /// Whether the body ends after this chunk's step: SKIP, a verdict, or nothing sent.
    func bodyStops(after record: StepRecord) -> Bool {
        skippingBody || transaction.ending != nil || record.delivery == .notSent
    }

    func endEndOfMessage() {
        transaction.reachedEndOfMessage = true
        if transaction.ending == nil { transaction.ending = .delivered }
    }

    /// Whether the transaction ends with ABORT. Postfix aborts after every transaction. Sendmail
    /// 8.17 aborts only a message that did not reach end of message: fixtures/pcap/sendmail-cmilter-lo.pcap
    /// shows no ABORT after an accepted or a rejected end of message.
    var needsAbort: Bool {
        guard case .open = status else { return false }
        return configuration.profile.abortsAfterEveryTransaction || !transaction.reachedEndOfMessage
    }

    /// The result, and a fresh transaction.
    func closeTransaction() -> TransactionResult {
        let result = makeResult()
        transaction = TransactionState()
        context.sender = nil
        context.recipient = nil
        transactionCount += 1
        return result
    }

    /// The record of a step the transaction no longer sends (it ended), or `nil` to send it.
    func stepAfterEnding(_ id: MilterCommand.ID) -> StepRecord? {
        guard transaction.ending != nil else { return nil }
        let record = StepRecord(command: id, delivery: .notSent)
        transaction.steps.append(record)
        return record
    }

    /// Records a step that went to the milter (or was refused locally) and applies its verdict.
    func settleStep(_ record: StepRecord, recipientLevel: Bool) {
        transaction.collect(record)
        apply(record, recipientLevel: recipientLevel)
    }

    func apply(_ record: StepRecord, recipientLevel: Bool) {
        if record.finding != nil || status != .open {
            if case .refused(let reply) = status { transaction.ending = .refused(reply) }
            if status == .bypass { transaction.ending = .delivered }
            return
        }
        guard let final = record.finalReply else { return }
        switch StepEffect(final: final, at: record.command, replies: configuration.profile.replies) {
        case .acceptMessage: transaction.ending = .delivered
        case .discard: transaction.ending = .discarded
        case .refuse(let reply) where !recipientLevel: transaction.ending = .refused(reply)
        default: break
        }
    }

    private var queueID: String {
        let serial = String(transactionCount + 1, radix: 16, uppercase: true)
        let connection = String(
            UInt(bitPattern: ObjectIdentifier(self).hashValue) & 0xFFFFF, radix: 16, uppercase: true)
        return "4" + connection + String(repeating: "0", count: max(0, 5 - serial.count)) + serial
    }
}
