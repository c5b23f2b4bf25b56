import MilterProtocol
import NIOCore

extension MTAConnectionStateMachine {
    /// ``startStep(_:sending:ignoringStatus:)`` with the MACRO packet the profile plans for `event`;
    /// `encoded` is the command's whole frame if it is known already (a message's HEADER and BODY
    /// frames are encoded once per message, ``MessageWireForm``).
    /// `abortsFirst` ABORTs go before them in the same write (``heloResetAborts``, ``mailResetAborts``).
    mutating func startStep(
        _ command: MilterCommand, macros event: MacroEvent?, encoded: ByteBuffer? = nil, ignoringStatus: Bool = false,
        abortsFirst: Int = 0
    ) -> StepStart {
        let packet = event.flatMap { macroPacket(for: command.id, event: $0) }
        return startStep(
            command, packet: packet, sending: [], encoded: encoded, ignoringStatus: ignoringStatus,
            abortsFirst: abortsFirst)
    }

    /// ``startStep(_:packet:sending:encoded:ignoringStatus:)`` with these MACRO packets, their
    /// frames and the command's copied from `frames` if given.
    mutating func startStep(
        _ command: MilterCommand, sending definitions: [MacroDefinition], frames: ReplayFrames? = nil,
        ignoringStatus: Bool = false
    ) -> StepStart {
        startStep(
            command, packet: nil, sending: definitions, encoded: frames?.command,
            encodedDefinitions: definitions.isEmpty ? nil : frames?.macros, ignoringStatus: ignoringStatus)
    }

    /// Encodes one command with its MACRO packets (`packet`, then `definitions`), checked by
    /// ``MTASession``, unless the step ends here (no milter, nothing to send, a command that may
    /// not go now): the first half of a step, which never waits. A frame encoded already (the
    /// command's, `encoded`, or the definitions', `encodedDefinitions`) is copied, not encoded
    /// again; the session checks the command and every definition all the same.
    private mutating func startStep(
        _ command: MilterCommand, packet: MacroPacket?, sending definitions: [MacroDefinition],
        encoded: ByteBuffer?, encodedDefinitions: ByteBuffer? = nil, ignoringStatus: Bool, abortsFirst: Int = 0
    ) -> StepStart {
        let id = command.id
        if !ignoringStatus, let record = recordWithoutMilter(id) { return .done(record) }
        guard socketOpen else { return .done(StepRecord(command: id, delivery: .notSent)) }
        if let record = withheldAfterQuarantine(id) { return .done(record) }
        let start = now()
        // Room for the MACRO packets and the command in one allocation (a BODY chunk's size included).
        var capacity = 256 + (packet?.frame?.readableBytes ?? 0) + (encodedDefinitions?.readableBytes ?? 0)
        if let encoded {
            capacity += encoded.readableBytes
        } else if case .body(let chunk) = command {
            capacity += chunk.readableBytes
        }
        var bytes = frameBuffer(capacity: capacity)
        let sessionBefore = session
        let decision: MTASession.SendDecision
        do {
            for _ in 0..<abortsFirst {
                _ = try session.commandToSend(.abort)
                try bytes.writeMilterCommand(.abort)
            }
            if let packet {
                _ = try session.commandToSend(.macro(packet.definition))
                if var frame = packet.frame {
                    bytes.writeBuffer(&frame)
                } else {
                    try bytes.writeMilterCommand(.macro(packet.definition))
                }
            }
            for definition in definitions {
                _ = try session.commandToSend(.macro(definition))
                if encodedDefinitions == nil { try bytes.writeMilterCommand(.macro(definition)) }
            }
            if var encodedDefinitions { bytes.writeBuffer(&encodedDefinitions) }
            decision = try session.commandToSend(command)
            if decision != .skipEvent {
                if var encoded {
                    bytes.writeBuffer(&encoded)
                } else {
                    try bytes.writeMilterCommand(command)
                }
            }
        } catch {
            return .done(misuse(id, error))
        }
        // A SKIP before the body outlasts the headers and EOH where the rules say so (Sendmail).
        if id != .body, !session.skippingBody { skippingBody = false }
        if bytes.readableBytes == 0 { return .done(StepRecord(command: id, delivery: .skipped)) }
        let timeout = decision == .sendAndAwaitReply ? timeouts.timeout(for: id) : nil
        outgoing = OutgoingStep(
            id: id, timeout: timeout, loneMacro: decision == .skipEvent, start: start, sessionBefore: sessionBefore)
        return .write(bytes)
    }

    /// A buffer for a step's frames: the one handed back with ``recycle(_:)``, emptied, if
    /// there is one, else a new one.
    private mutating func frameBuffer(capacity: Int) -> ByteBuffer {
        guard var buffer = spareBuffer.take() else { return allocator.buffer(capacity: capacity) }
        buffer.clear()
        buffer.reserveCapacity(capacity)
        return buffer
    }

    /// Hands back a buffer of ``Action/write(_:)`` once its bytes are copied out, so that the next
    /// step encodes into its storage instead of allocating (a load run makes millions of steps).
    /// A buffer over a megabyte is let go.
    package mutating func recycle(_ buffer: consuming ByteBuffer) {
        guard buffer.capacity <= 1 << 20 else { return }
        spareBuffer = buffer
    }

    /// Takes one event for a step whose replies are due: the step's record once its final reply
    /// (or a finding) came, `nil` while more replies are due. The second half of a step.
    mutating func settle(_ pending: inout PendingStep, with event: InboxEvent) -> StepRecord? {
        let id = pending.id
        let kind: Finding.Kind
        // The byte of a reply the MTA may have no case for (MTARules.passesCommand(_:afterReply:)).
        var refusedReply: UInt8?
        switch event {
        case .reply(let reply):
            sentWithoutReply.removeAll()
            pending.keep(reply, limits: configuration.limits)
            do {
                let disposition = try session.replyReceived(reply)
                if pending.warning == nil { pending.warning = session.lastReplyWarning }
                switch disposition {
                case .final: return finished(pending)
                case .negotiated(_, let warnings):
                    negotiationWarnings = warnings
                    return finished(pending)
                default:
                    guard let limit = pending.budget(reply, limits: configuration.limits) else { return nil }
                    kind = .overLimit(limit)
                }
            } catch {
                kind = .protocolViolation(error)
                refusedReply = reply.id.rawValue
            }
        case .protocolError(let error):
            kind = .protocolViolation(error)
            if error.code == .unknownReply { refusedReply = error.commandByte }
        case .timeout(let amount):
            kind =
                pending.waitEndsAtDeadline
                ? .deadline(pending.deadline.amount, replies: pending.replyCount, progress: pending.progress)
                : .timeout(amount)
        case .endOfFile: kind = .endOfFile
        case .ioError(let text): kind = .ioError(text)
        case .overLimit(let limit): kind = .overLimit(limit)
        }
        var finding = Finding(kind, step: id)
        // Empty after a reply: only a wait that read none names the commands that went unanswered before it.
        finding.sentWithoutReply = sentWithoutReply
        if let refusedReply, session.rules.passesCommand(id, afterReply: refusedReply) {
            return wentOn(pending, finding)
        }
        return failed(pending, finding)
    }

    /// The record of a step whose deadline passed while replies kept coming.
    mutating func pastDeadline(_ pending: PendingStep) -> StepRecord {
        let kind = Finding.Kind.deadline(
            pending.deadline.amount, replies: pending.replyCount, progress: pending.progress)
        var finding = Finding(kind, step: pending.id)
        finding.sentWithoutReply = sentWithoutReply
        return failed(pending, finding)
    }

    private mutating func failed(_ pending: PendingStep, _ finding: Finding) -> StepRecord {
        var record = fail(pending.id, finding, start: pending.start)
        record.replies = pending.replies
        record.omittedProgress = pending.omittedProgress
        return record
    }

    /// The record of a step that goes on despite its finding, as Sendmail's does after a reply it has
    /// no case for (`milter_send_command`, "returned bogus response"): the step has no SMTP reply of
    /// its own, but the socket is dropped without QUIT (`milter_error`) and every later step gets the
    /// failure action.
    private mutating func wentOn(_ pending: PendingStep, _ finding: Finding) -> StepRecord {
        var record = failed(pending, finding)
        record.smtpReply = nil
        return record
    }

    private mutating func finished(_ pending: PendingStep) -> StepRecord {
        let id = pending.id
        let replies = pending.replies
        var record = StepRecord(
            command: id, delivery: .awaited, replies: replies, duration: pending.start.duration(to: now()))
        record.omittedProgress = pending.omittedProgress
        guard let final = replies.last, id != .optionNegotiation else { return record }
        if let warning = pending.warning {
            record.finding = Finding(.protocolViolation(warning), step: id, severity: .warning)
        }
        takeEarlyQuarantine(&record)
        let quits = configuration.profile.quitsAfterConnectionVerdict
        if let reply = refusedBodyReplacement(record) { record.smtpReply = reply }
        let effect = stepEffect(final, at: id)
        switch effect {
        case .skipRest: skippingBody = true
        case .acceptConnection:
            status = .bypass
            if !quits { dropSocket() }
        case .closeConnection(let refusal):
            status = .refused(refusal.laterReply, answersHelo: refusal.answersHelo)
            record.smtpReply = refusal.stepReply
            // Postfix keeps the milter after a 421 REPLYCODE from MAIL on (ABORT, then QUIT at the end).
            if final == .shutdown || (!quits && (id == .connect || id == .helo)) { dropSocket() }
        case .refuse(let reply): record.smtpReply = reply
        case .proceed, .acceptMessage, .discard: break
        }
        return record
    }

    /// What `final` at `step` does under the profile: ``StepEffect``, with the MTA's host name and, at MAIL and
    /// RCPT, the address as the SMTP client gave it: the command's first argument, of a message's step or of a
    /// replayed frame alike (Sendmail's `e_to`, which `parseaddr` sets to the same text `milter_envfrom` and
    /// `milter_envrcpt` send as `args[0]`).
    func stepEffect(_ final: MilterReply, at step: MilterCommand.ID) -> StepEffect {
        let address: EnvelopeAddress? =
            switch step {
            case .mail: transaction.sender
            case .recipient: transaction.recipient
            default: nil
            }
        return StepEffect(
            final: final, at: step, rules: session.rules, profile: configuration.profile,
            hostname: configuration.identity.hostname, address: address?.address.string)
    }

    /// Applies the default action after a finding: the socket is dropped and every later step
    /// gets the tempfail reply (Postfix `milter8_comm_error`/`milter8_conf_error`). Under
    /// ``MTAProfile/keepsSessionAfterConnectionVerdict`` that is a TEMPFAIL state for CONNECT, HELO and every
    /// later command (Sendmail's `MILTER_CHECK_ERROR` with `F=T`), which `srvrsmtp.c` answers at CONNECT and
    /// HELO as usual (220, 250; `tempfail` is set for the commands after them). Postfix's `smtpd.c` does the
    /// same with the milter's `def_reply` (`MILTER8_STAT_ERROR`), a 451 that neither greeting nor HELO refuses.
    mutating func fail(_ id: MilterCommand.ID, _ finding: Finding, start: NIODeadline) -> StepRecord {
        let replies = configuration.profile.replies
        let reply = finding.isConfigurationError ? replies.configurationError : replies.communicationError
        let keepsSession = configuration.profile.keepsSessionAfterConnectionVerdict
        status = .refused(reply, answersHelo: keepsSession)
        dropSocket()
        let answeredAsUsual = keepsSession && (id == .connect || id == .helo)
        return StepRecord(
            command: id, delivery: .awaited, smtpReply: answeredAsUsual ? nil : reply, finding: finding,
            duration: start.duration(to: now()))
    }

    private mutating func recordWithoutMilter(_ id: MilterCommand.ID) -> StepRecord? {
        switch status {
        case .open: nil
        case .bypass: StepRecord(command: id, delivery: .notSent)
        case .refused(_, answersHelo: true) where id == .helo: StepRecord(command: id, delivery: .notSent)
        case .refused(let reply, _): StepRecord(command: id, delivery: .notSent, smtpReply: reply)
        }
    }

    /// A command the caller may not send now, or data that cannot be encoded: the step is
    /// refused locally and the milter never sees it.
    private func misuse(_ id: MilterCommand.ID, _ error: MilterProtocolError) -> StepRecord {
        var record = StepRecord(command: id, delivery: .notSent, smtpReply: "554 5.5.1 Error: \(error.code) at \(id)")
        record.refusal = error
        return record
    }
}
