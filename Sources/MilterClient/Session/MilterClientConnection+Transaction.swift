import MailMessage
import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// The longest BODY chunk: 65535 bytes, as Postfix and Sendmail send.
    public static let bodyChunkSize = 65_535

    /// Starts a transaction with MAIL FROM.
    @discardableResult
    public func mail(_ sender: EnvelopeAddress) async -> StepRecord {
        transaction.start = transaction.start ?? .now
        transaction.sender = sender
        context.queueID = queueID
        context.sender = sender
        return await step(.mail(sender))
    }

    /// Sends RCPT TO. A refusal affects only this recipient (pitfall 9).
    @discardableResult
    public func recipient(_ recipient: EnvelopeAddress) async -> StepRecord {
        context.recipient = recipient
        let record = await step(.recipient(recipient), recipientLevel: true)
        if transaction.ending == nil || transaction.ending == .delivered {
            if let reply = record.smtpReply, record.finding == nil {
                transaction.rejectedRecipients.append((recipient, reply))
            } else {
                transaction.acceptedRecipients.append(recipient)
            }
        }
        return record
    }

    /// Sends DATA; without an accepted recipient the MTA refuses the message instead.
    @discardableResult
    public func data() async -> StepRecord {
        if transaction.ending == nil, transaction.acceptedRecipients.isEmpty {
            transaction.ending = .refused(configuration.profile.replies.noValidRecipients)
        }
        return await step(.data)
    }

    /// Sends one header field as the MTA would: folding with LF, the leading space rule.
    @discardableResult
    public func header(_ field: RawHeaderField) async -> StepRecord {
        await header(field, prepared: nil)
    }

    /// ``header(_:)`` with the HEADER payload worked out beforehand for a milter without
    /// SMFIP_HDR_LEADSPC.
    @discardableResult
    private func header(_ field: RawHeaderField, prepared: HeaderField?) async -> StepRecord {
        if configuration.buildsResultingMessage { transaction.headerFields.append(field) }
        let keepSpace = options?.protocolFlags.contains(.headerLeadingSpace) ?? false
        let payload = keepSpace ? nil : prepared
        return await step(.header(payload ?? MessageWireForm.header(field, keepLeadingSpace: keepSpace)))
    }

    /// Sends EOH.
    @discardableResult
    public func endOfHeaders() async -> StepRecord { await step(.endOfHeaders) }

    /// Sends a body as the MTA would: CRLF line ends, chunks of 65535 bytes, stopping after SKIP
    /// or a verdict.
    @discardableResult
    public func body(_ content: [UInt8]) async -> [StepRecord] {
        let wire = MessageWireForm(headerFields: [], body: content)
        return await body(crlf: wire.body, chunks: wire.bodyChunks)
    }

    /// ``body(_:)`` with the body already in CRLF form and cut into chunks.
    @discardableResult
    private func body(crlf: [UInt8], chunks: [ByteBuffer]) async -> [StepRecord] {
        if configuration.buildsResultingMessage { transaction.body += crlf }
        var records: [StepRecord] = []
        for chunk in chunks {
            let record = await step(.body(chunk))
            records.append(record)
            if skippingBody || transaction.ending != nil || record.delivery == .notSent { break }
        }
        return records
    }

    /// Sends end of message and reads the modifications and the final reply.
    @discardableResult
    public func endOfMessage() async -> StepRecord {
        let record = await step(.endOfMessage(ByteBuffer()))
        transaction.reachedEndOfMessage = true
        if transaction.ending == nil { transaction.ending = .delivered }
        return record
    }

    /// Ends the transaction (sending ABORT where the profile does) and returns its result.
    public func finishTransaction() async -> TransactionResult {
        // Postfix aborts after every transaction. Sendmail 8.17 aborts only a message that did not reach
        // end of message: fixtures/pcap/sendmail-cmilter-lo.pcap shows no ABORT after an accepted or a
        // rejected end of message.
        let needsAbort = configuration.profile.abortsAfterEveryTransaction || !transaction.reachedEndOfMessage
        if needsAbort, case .open = status { transaction.collect(await perform(.abort, macros: nil)) }
        let result = makeResult()
        transaction = TransactionState()
        context.sender = nil
        context.recipient = nil
        transactionCount += 1
        return result
    }

    /// Abandons the transaction at any point, as an SMTP client's RSET does: sends ABORT and
    /// returns what happened so far (``TransactionResult/wasAborted`` unless a verdict came first).
    public func abort() async -> TransactionResult { await finishTransaction() }

    /// Runs a whole transaction: MAIL, RCPTs, DATA, headers, EOH, body, end of message, ABORT.
    public func send(_ message: MilterMessage) async -> TransactionResult {
        context.messageID = message.messageID
        await mail(message.sender)
        for envelope in message.recipients { await recipient(envelope) }
        await data()
        for (field, prepared) in zip(message.headerFields, message.wire.headers) {
            await header(field, prepared: prepared)
        }
        await endOfHeaders()
        await body(crlf: message.wire.body, chunks: message.wire.bodyChunks)
        await endOfMessage()
        return await finishTransaction()
    }

    /// One step of the transaction: sent unless the transaction already ended.
    func step(_ command: MilterCommand, recipientLevel: Bool = false) async -> StepRecord {
        if transaction.ending != nil {
            let record = StepRecord(command: command.id, delivery: .notSent)
            transaction.steps.append(record)
            return record
        }
        let record = await perform(command, macros: MacroEvent(command: command.id))
        transaction.collect(record)
        apply(record, recipientLevel: recipientLevel)
        return record
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
