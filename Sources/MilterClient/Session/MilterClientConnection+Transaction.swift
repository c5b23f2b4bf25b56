import MailMessage
import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// The longest BODY chunk: 65535 bytes, as Postfix and Sendmail send.
    public static let bodyChunkSize = 65_535

    /// Starts a transaction with MAIL FROM.
    @discardableResult
    public func mail(_ sender: EnvelopeAddress) async -> StepRecord { await step(.mail(sender)) }

    /// Sends RCPT TO. A refusal affects only this recipient (pitfall 9).
    @discardableResult
    public func recipient(_ recipient: EnvelopeAddress) async -> StepRecord { await step(.recipient(recipient)) }

    /// Sends DATA; without an accepted recipient the MTA refuses the message instead.
    @discardableResult
    public func data() async -> StepRecord { await step(.data) }

    /// Sends one header field as the MTA would: folding with LF, the leading space rule.
    @discardableResult
    public func header(_ field: RawHeaderField) async -> StepRecord { await step(.header(field, prepared: nil)) }

    /// Sends EOH.
    @discardableResult
    public func endOfHeaders() async -> StepRecord { await step(.endOfHeaders) }

    /// Sends a body as the MTA would: CRLF line ends, chunks of 65535 bytes, stopping after SKIP
    /// or a verdict.
    @discardableResult
    public func body(_ content: [UInt8]) async -> [StepRecord] {
        let wire = MessageWireForm(headerFields: [], body: content)
        var records: [StepRecord] = []
        for (index, chunk) in wire.bodyChunks.enumerated() {
            let record = await step(.body(chunk, wholeBody: index == 0 ? wire.body : nil))
            records.append(record)
            if machine.bodyStops(after: record) { break }
        }
        return records
    }

    /// Sends end of message and reads the modifications and the final reply.
    @discardableResult
    public func endOfMessage() async -> StepRecord { await step(.endOfMessage) }

    /// Ends the transaction (sending ABORT where the profile does) and returns its result.
    public func finishTransaction() async -> TransactionResult {
        await driveTransaction(machine.endOfTransactionRequested())
    }

    /// Abandons the transaction at any point, as an SMTP client's RSET does: sends ABORT and
    /// returns what happened so far (``TransactionResult/wasAborted`` unless a verdict came first).
    public func abort() async -> TransactionResult { await finishTransaction() }

    /// One step of the transaction, as the machine takes it.
    private func step(_ step: MTAConnectionStateMachine.TransactionStep) async -> StepRecord {
        await driveStep(machine.transactionStepRequested(step))
    }
}
