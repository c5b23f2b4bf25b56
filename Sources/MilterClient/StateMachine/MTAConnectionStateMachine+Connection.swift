import MilterProtocol
import NIOCore

extension MTAConnectionStateMachine {
    /// The caller opens the conversation: OPTNEG with the configured offer.
    package mutating func negotiationRequested() -> Action {
        let offer = configuration.offer ?? configuration.profile.offer(version: configuration.version)
        purpose = .negotiation
        return emit(proceed(startStep(.optionNegotiation(offer), macros: nil)))
    }

    mutating func negotiated(_ record: StepRecord) -> Action {
        negotiation = record
        if let finding = record.finding { connectionFindings.append(finding) }
        macros.options = session.options
        return .deliverStep(record)
    }

    /// The caller's CONNECT, with the SMTP client's address.
    package mutating func connectRequested() -> Action {
        connectionStep(.connect(client.connectInfo(profile: configuration.profile)))
    }

    /// The caller's HELO, with the client's HELO name or `name`; `extended` when the client said EHLO, which makes
    /// the session ESMTP (``smtpProtocol``; Postfix's `ehlo_cmd`; `helo_cmd` leaves the protocol as it was; Sendmail
    /// sets it at each HELO and EHLO, ``sendmailProtocol``). A HELO after an earlier one is followed by an ABORT
    /// under ``MTAProfile/abortsWhenHeloIsReset``.
    package mutating func heloRequested(_ name: String?, extended: Bool = true) -> Action {
        let again = heloGiven
        heloGiven = true
        greeted(extended: extended)
        let command = MilterCommand.helo(MilterString(name ?? client.helo))
        purpose = again ? .heloAgain : .connection
        return emit(proceed(startStep(command, macros: MacroEvent(command: command.id))))
    }

    /// The caller's SMTP command the MTA does not know (UNKNOWN).
    package mutating func unknownRequested(_ line: String) -> Action {
        connectionStep(.unknown(MilterString(line)))
    }

    private mutating func connectionStep(_ command: MilterCommand) -> Action {
        purpose = .connection
        return emit(proceed(startStep(command, macros: MacroEvent(command: command.id))))
    }

    /// The caller's QUIT: sent unless the conversation is over, then the close, at once, as
    /// Postfix does. Only with a positive ``MilterClientConfiguration/quitDrainTimeout`` and
    /// `observed` does the connection first wait for the milter to close (replies meanwhile are a
    /// finding); the connection actor does that wait off its caller's path.
    package mutating func quitRequested(observed: Bool = true) -> Action {
        quit(replay: false, drains: observed)
    }

    /// QUIT; `keepsHelo` leaves out the ABORT of ``heloResetAborts``, as XCLIENT with `HELO=` does.
    mutating func quit(replay: Bool, drains: Bool = true, keepsHelo: Bool = false) -> Action {
        guard !isDraining else {
            return replay ? .deliverStep(StepRecord(command: .quit, delivery: .notSent)) : .deliverFinding(nil)
        }
        guard socketOpen else { return emit(quitDone(nil, replay: replay)) }
        purpose = .quit(replay: replay, drains: drains)
        // A recording has its own ABORTs. `smtpd_proto` calls `helo_reset`, then `mail_reset`.
        let abortsFirst = replay ? 0 : (!keepsHelo && heloResetAborts ? 1 : 0) + (mailResetAborts ? 1 : 0)
        return emit(proceed(startStep(.quit, macros: nil, ignoringStatus: true, abortsFirst: abortsFirst)))
    }

    mutating func quitSent(_ record: StepRecord, replay: Bool, drains: Bool) -> Action {
        guard record.finding == nil, drains, configuration.quitDrainTimeout > .zero else {
            return quitDone(record.finding, replay: replay)
        }
        purpose = .draining(replay: replay)
        return .wait(configuration.quitDrainTimeout)
    }

    /// Whether the connection waits after QUIT for the milter to close: every other request is
    /// then refused without touching the socket.
    package var isDraining: Bool {
        if case .draining = purpose { return true }
        return false
    }

    mutating func drained(_ event: InboxEvent, replay: Bool) -> Action {
        purpose = .none
        var finding: Finding
        switch event {
        case .reply(let reply): finding = strayFinding([reply])
        case .protocolError(let error): finding = Finding(.protocolViolation(error), step: .quit)
        case .overLimit(let limit): finding = Finding(.overLimit(limit), step: .quit)
        case .timeout, .endOfFile, .ioError: return quitDone(nil, replay: replay)
        }
        // QUIT and what went before it unanswered, as a step's finding names them.
        finding.sentWithoutReply = sentWithoutReply
        return quitDone(finding, replay: replay)
    }

    private mutating func quitDone(_ finding: Finding?, replay: Bool) -> Action {
        socketOpen = false
        closeDue = true
        if let finding { connectionFindings.append(finding) }
        guard replay else { return .deliverFinding(finding) }
        return .deliverStep(StepRecord(command: .quit, delivery: .sentWithoutReply, finding: finding))
    }

    /// The caller closes without QUIT, as an MTA does after a connection-level verdict.
    package mutating func closeRequested() -> Action {
        guard !isDraining else { return .deliverFinding(nil) }
        socketOpen = false
        closeDue = true
        return emit(.deliverFinding(nil))
    }

    /// The caller waits up to `duration` for a reply nobody asked for.
    package mutating func listenRequested(for duration: TimeAmount) -> Action {
        guard socketOpen, case .open = status, !isDraining else { return .deliverFinding(nil) }
        purpose = .listening
        return .wait(duration)
    }

    mutating func listened(_ event: InboxEvent) -> Action {
        purpose = .none
        var finding: Finding
        switch event {
        case .timeout: return .deliverFinding(nil)
        case .reply(let reply): finding = strayFinding([reply])
        case .protocolError(let error): finding = Finding(.protocolViolation(error), step: lastSent)
        case .endOfFile: finding = Finding(.endOfFile, step: lastSent)
        case .ioError(let text): finding = Finding(.ioError(text), step: lastSent)
        case .overLimit(let limit): finding = Finding(.overLimit(limit), step: lastSent)
        }
        finding.sentWithoutReply = sentWithoutReply
        _ = fail(finding.step, finding, start: now())
        connectionFindings.append(finding)
        return .deliverFinding(finding)
    }

    /// The finding for replies that arrived while none was due, classified by ``MTASession``.
    ///
    /// A reply carries nothing that names its command. After events the milter negotiated no reply for (NR_HDR
    /// and the like) the MTA writes on without reading, so a milter that answers them anyway has its first such
    /// reply taken by the next step that awaits one, and the rest found later, after that step's reply: a reply
    /// ``MTASession`` finds unsolicited is then laid to the last of those events in the transaction
    /// (`replyDespiteNoReply at HEADER`, as a wait right after them finds it), not to the command it was found
    /// before.
    mutating func strayFinding(_ replies: [MilterReply]) -> Finding {
        let step = lastSent
        for reply in replies {
            do {
                _ = try session.replyReceived(reply)
            } catch {
                return despiteNoReply(answeringMacro(error), step: step)
            }
        }
        let error = MilterProtocolError(.unsolicitedReply, commandByte: replies.first?.id.rawValue)
        return despiteNoReply(error, step: step)
    }

    /// `error` laid to the last event sent without a reply due, when ``MTASession`` found the reply unsolicited
    /// and such an event went in this transaction (see ``strayFinding(_:)``).
    private func despiteNoReply(_ error: MilterProtocolError, step: MilterCommand.ID) -> Finding {
        guard error.code == .unsolicitedReply, let event = lastEventWithoutReply else {
            return Finding(.protocolViolation(error), step: step)
        }
        let reply = error.commandByte.flatMap(MilterReply.ID.init(rawValue:)).map { "\($0)" } ?? "a reply"
        let recoded = MilterProtocolError(
            .replyDespiteNoReply, commandByte: error.commandByte,
            detail: "\(reply) after \(event), negotiated without reply")
        return Finding(.protocolViolation(recoded), step: event)
    }

    /// ``MTASession`` sees the skipped event, not that only its MACRO went on the wire; a reply
    /// then answers the MACRO (pitfall 1).
    private func answeringMacro(_ error: MilterProtocolError) -> MilterProtocolError {
        guard error.code == .unsolicitedReply, lastWrittenWasLoneMacro else { return error }
        var recoded = error
        recoded.code = .replyToNoReplyCommand
        recoded.detail = "a reply after a MACRO whose event was not sent, which takes none"
        return recoded
    }
}
