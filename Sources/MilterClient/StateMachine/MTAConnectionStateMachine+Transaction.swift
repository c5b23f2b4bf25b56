import MailMessage
import MilterProtocol
import NIOCore

extension MTAConnectionStateMachine {
    /// The caller's next transaction step (MAIL, RCPT, DATA, a header, EOH, a body chunk, end of
    /// message): sent unless the transaction already ended.
    package mutating func transactionStepRequested(_ step: TransactionStep) -> Action {
        emit(proceed(startTransactionStep(step)))
    }

    /// The caller ends the transaction: ABORT where the profile sends it, then the result.
    package mutating func endOfTransactionRequested() -> Action {
        emit(endTransaction())
    }

    /// ABORT if due, else the result at once.
    mutating func endTransaction() -> Action {
        guard needsAbort else {
            // The next MAIL may go: the MTA ended the transaction without telling the milter.
            session.transactionEndedWithoutAbort()
            // The caller's ABORT between transactions, which Sendmail has no milter in a message to send to.
            if status == .open, transaction.steps.isEmpty {
                transaction.steps.append(StepRecord(command: .abort, delivery: .notSent))
            }
            return .deliverTransaction(closeTransaction())
        }
        purpose = .closingAbort
        return proceed(startStep(.abort, macros: nil, ignoringStatus: status != .open))
    }

    /// Does what comes before a step and starts it; `encoded` is its command's whole frame if
    /// known already.
    mutating func startTransactionStep(_ step: TransactionStep, encoded: ByteBuffer? = nil) -> StepStart {
        let command = begin(step)
        if let record = stepAfterEnding(command.id) {
            purpose = .transaction(step, settles: false)
            return .done(record)
        }
        purpose = .transaction(step, settles: true)
        return startStep(command, macros: MacroEvent(command: command.id), encoded: encoded)
    }

    /// The half of a step before its command: the macro context, the copy of the message kept
    /// for the result. Returns the command.
    private mutating func begin(_ step: TransactionStep) -> MilterCommand {
        switch step {
        case .mail(let sender):
            transaction.start = transaction.start ?? now()
            transaction.sender = sender
            context.queueID = configuration.profile.queueIDAfterFirstRecipient ? nil : queueID
            context.sender = sender
            return .mail(sender)
        case .recipient(let recipient):
            transaction.recipient = recipient
            context.recipient = recipient
            return .recipient(recipient)
        case .data:
            if transaction.ending == nil, transaction.acceptedRecipients.isEmpty {
                transaction.ending = .refused(configuration.profile.replies.noValidRecipients)
            }
            return .data
        case .header(let field, let prepared): return headerCommand(field, prepared: prepared)
        case .endOfHeaders: return .endOfHeaders
        case .body(let chunk, let wholeBody):
            if let wholeBody, configuration.buildsResultingMessage { transaction.body += wholeBody }
            return .body(chunk)
        case .endOfMessage: return .endOfMessage(ByteBuffer())
        }
    }

    /// The half of a step after its replies: the verdict applied, the recipient counted.
    mutating func complete(_ step: TransactionStep, _ record: StepRecord, settles: Bool) {
        if settles {
            transaction.collect(record)
            if case .recipient = step {
                apply(record, recipientLevel: true)
            } else {
                apply(record, recipientLevel: false)
            }
        }
        switch step {
        case .recipient(let recipient): endRecipient(recipient, record)
        case .endOfMessage:
            if transaction.ending == nil { transaction.ending = .delivered }
        default: break
        }
    }

    private mutating func endRecipient(_ recipient: EnvelopeAddress, _ record: StepRecord) {
        guard transaction.ending == nil || transaction.ending == .delivered else { return }
        if let reply = record.smtpReply, record.finding?.severity != .error {
            transaction.rejectedRecipients.append((recipient, reply))
        } else {
            transaction.acceptedRecipients.append(recipient)
            // Postfix opens the queue file, and so has a queue ID, after the first valid recipient.
            if context.queueID == nil { context.queueID = queueID }
        }
    }

    /// The HEADER command for a field; `prepared` is its payload for a milter without SMFIP_HDR_LEADSPC.
    private mutating func headerCommand(_ field: RawHeaderField, prepared: HeaderField?) -> MilterCommand {
        if configuration.buildsResultingMessage { transaction.headerFields.append(field) }
        let keepSpace = keepsHeaderLeadingSpace
        let payload = keepSpace ? nil : prepared
        return .header(payload ?? MessageWireForm.header(field, keepLeadingSpace: keepSpace))
    }

    /// Whether the milter negotiated SMFIP_HDR_LEADSPC: HEADER values keep their leading space.
    var keepsHeaderLeadingSpace: Bool {
        mutating get { session.options?.protocolFlags.contains(.headerLeadingSpace) ?? false }
    }

    /// Whether the body ends after this chunk's step: SKIP, a verdict, or nothing sent. After SKIP at a header or
    /// EOH even the first chunk goes unsent (``MTASession/skips(_:)``), as `milter_body` sends none in `SMFS_SKIP`.
    package mutating func bodyStops(after record: StepRecord) -> Bool {
        skippingBody || transaction.ending != nil || record.delivery == .notSent
    }

    /// Whether the transaction ends with ABORT. Postfix aborts after every transaction. Sendmail aborts
    /// only a milter still in the message (``TransactionState/sendmailSendsAbort``): none after end
    /// of message (fixtures/pcap/sendmail-cmilter-lo.pcap shows no ABORT after an accepted or a rejected
    /// one), after an ACCEPT, or after a verdict on the content.
    /// After a 421 from MAIL on the session is over, but Postfix's `mail_reset` still aborts the milter, which
    /// `milter8.c` keeps for it (not `MILTER8_STAT_REJECT_CON`), before QUIT.
    private var needsAbort: Bool {
        mutating get {
            switch status {
            case .open: configuration.profile.abortsAfterEveryTransaction || transaction.sendmailSendsAbort
            case .refused:
                socketOpen && configuration.profile.abortsAfterEveryTransaction
                    && transaction.steps.contains { $0.command == .mail && $0.delivery != .notSent }
            case .bypass: false
            }
        }
    }

    /// The result, and a fresh transaction.
    mutating func closeTransaction() -> TransactionResult {
        let result = makeResult()
        transaction = TransactionState()
        lastEventWithoutReply = nil
        context.sender = nil
        context.recipient = nil
        transactionCount += 1
        return result
    }

    /// The record of a step the transaction no longer sends (it ended), or `nil` to send it.
    private mutating func stepAfterEnding(_ id: MilterCommand.ID) -> StepRecord? {
        guard transaction.ending != nil else { return nil }
        let record = StepRecord(command: id, delivery: .notSent)
        transaction.steps.append(record)
        return record
    }

    /// Ends the transaction on a step's verdict (a recipient's refusal ends only that recipient).
    mutating func apply(_ record: StepRecord, recipientLevel: Bool) {
        switch status {
        case .refused:
            // A step with a finding but no reply went on (Sendmail after a bogus reply): the next one is refused.
            if let reply = record.smtpReply { transaction.ending = .refused(reply) }
            return
        case .bypass:
            transaction.ending = .delivered
            return
        case .open: break
        }
        guard let final = record.finalReply else { return }
        if let reply = refusedBodyReplacement(record) {
            transaction.ending = .refused(reply)
            return
        }
        switch stepEffect(final, at: record.command) {
        case .acceptMessage: transaction.ending = .delivered
        case .discard: transaction.ending = .discarded
        case .refuse(let reply) where !recipientLevel: transaction.ending = .refused(reply)
        case .proceed, .skipRest: if quarantineEndsMessage(record) { transaction.ending = .delivered }
        default: break
        }
    }

    /// `4`, the connection's number and the transaction's, each in at least five hex digits: unique in the
    /// process (`4000010000A` is the 10th message of the first connection).
    var queueID: String { mutating get { String(decoding: queueIDBytes, as: UTF8.self) } }

    /// ``queueID``'s bytes, for a caller that needs them as bytes: no string is made. A mutating getter: read
    /// through the connection's stored machine, a plain getter copied the whole machine (63 references retained).
    var queueIDBytes: [UInt8] {
        mutating get {
            var bytes: [UInt8] = []
            writeQueueID(into: &bytes)
            return bytes
        }
    }

    /// Replaces `bytes` with ``queueID``'s, keeping their capacity: a caller that hands the same array back for
    /// every message allocates none (``queueIDBytes`` makes an array each time).
    mutating func writeQueueID(into bytes: inout [UInt8]) {
        // The length first, then the digits written backwards through one pointer: appended one at a
        // time, each digit checked the array's capacity and uniqueness (about 40 instructions a digit).
        let tag = connectionTag
        let count = UInt(transactionCount + 1)
        let countDigits = Self.hexDigitCount(count)
        let length = 1 + Self.hexDigitCount(tag) + countDigits
        // The last ID's array is most often of the length already: every byte is written below.
        if bytes.count != length {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: repeatElement(0, count: length))
        }
        bytes.withUnsafeMutableBufferPointer { out in
            out[0] = UInt8(ascii: "4")
            func hex(_ value: UInt, endingAt end: Int, from start: Int) {
                var value = value
                for position in (start..<end).reversed() {
                    let digit = UInt8(truncatingIfNeeded: value & 0xF)
                    out[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") - 10 + digit
                    value >>= 4
                }
            }
            hex(count, endingAt: length, from: length - countDigits)
            hex(tag, endingAt: length - countDigits, from: 1)
        }
    }

    /// How many hex digits `value` is written in: at least five, more when it needs them.
    private static func hexDigitCount(_ value: UInt) -> Int {
        max(5, (UInt.bitWidth - value.leadingZeroBitCount + 3) / 4)
    }
}
