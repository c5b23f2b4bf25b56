import MilterProtocol

extension MilterClientConnection {
    /// Sends a recorded command, preceded by the MACRO packets recorded before it, and reads the
    /// milter's replies: the step a replay of a captured session makes.
    ///
    /// The commands and macros go out as recorded, but the MTA adapts to this milter's own
    /// negotiation: an event it switched off with a NO flag is not sent (its macros still are,
    /// as Postfix sends them), a reply it switched off with an NR flag is not awaited, body
    /// chunks after SKIP are not sent, and once this milter has ended a transaction (or every
    /// recipient was refused) the rest of the transaction is not sent. Every reply is checked by
    /// `MTASession` as for any other step. OPTNEG is not replayed here: open the connection with
    /// ``MilterClientConfiguration/offer`` set to the recorded offer.
    ///
    /// ```swift
    /// var configuration = MilterClientConfiguration()
    /// configuration.offer = recordedOffer
    /// let connection = try await MilterClientConnection.open(to: address, configuration: configuration)
    /// let record = await connection.replay(.helo(MilterString("mx.example.test")), macros: recordedMacros)
    /// ```
    public func replay(_ command: MilterCommand, macros: [MacroDefinition]) async -> StepRecord {
        let id = command.id
        switch id {
        case .optionNegotiation, .macro:
            return StepRecord(command: id, delivery: .notSent)
        case .quit:
            let findings = await quit()
            return StepRecord(command: id, delivery: .sentWithoutReply, finding: findings.first)
        case .mail:
            // The recording may lack the ABORT an MTA sends when the milter ends a message early (Sendmail).
            if socketOpen, status == .open, session.phase.inTransaction { _ = await perform(.abort, sending: []) }
            transaction = TransactionState()
            transaction.start = .now
            return await replayTransactionStep(command, macros: macros)
        case .recipient, .data, .header, .endOfHeaders, .body, .endOfMessage:
            if id != .recipient, transaction.ending == nil, !hasAcceptedRecipient {
                transaction.ending = .refused(configuration.profile.replies.noValidRecipients)
            }
            return await replayTransactionStep(command, macros: macros)
        case .abort, .connect, .helo, .unknown, .quitNewConnection:
            return await perform(command, sending: macros.filter { _ in sendsMacros(before: id) })
        }
    }

    /// Closes the socket without QUIT, as an MTA does after a connection-level verdict or when
    /// the recorded session simply ended.
    public func closeWithoutQuit() async {
        socketOpen = false
        channel.close()
    }

    private func replayTransactionStep(_ command: MilterCommand, macros: [MacroDefinition]) async -> StepRecord {
        let id = command.id
        if let ending = transaction.ending {
            var record = StepRecord(command: id, delivery: .notSent)
            if case .refused(let reply) = ending { record.smtpReply = reply }
            transaction.steps.append(record)
            return record
        }
        let record = await perform(command, sending: sendsMacros(before: id) ? macros : [])
        transaction.collect(record)
        apply(record, recipientLevel: id == .recipient)
        if id == .endOfMessage {
            transaction.reachedEndOfMessage = true
            if transaction.ending == nil { transaction.ending = .delivered }
        }
        return record
    }

    /// Whether a recipient of the transaction was not refused (skipped or NR recipients count as accepted).
    private var hasAcceptedRecipient: Bool {
        transaction.steps.contains { $0.command == .recipient && ($0.smtpReply == nil || $0.finding != nil) }
    }
}
