import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// Sends one command (with its macros) and reads its replies until the final one, checking
    /// each with ``MTASession``. Connection-level effects (accept or refusal at CONNECT/HELO,
    /// SHUTDOWN, findings) are applied here; message-level ones are the caller's.
    func perform(
        _ command: MilterCommand, macros event: MacroEvent?, ignoringStatus: Bool = false
    ) async -> StepRecord {
        await awaitReplies(startStep(command, macros: event, ignoringStatus: ignoringStatus))
    }

    /// ``perform(_:macros:ignoringStatus:)`` with the MACRO packets given, not planned: a replay
    /// sends the ones recorded.
    func perform(
        _ command: MilterCommand, sending definitions: [MacroDefinition], ignoringStatus: Bool = false
    ) async -> StepRecord {
        await awaitReplies(startStep(command, sending: definitions, ignoringStatus: ignoringStatus))
    }

    /// Waits for the replies of a started step.
    private func awaitReplies(_ start: StepStart) async -> StepRecord {
        switch start {
        case .done(let record):
            return record
        case .awaiting(var pending):
            while true {
                if let record = settle(&pending, with: await nextEvent(timeout: pending.timeout)) { return record }
            }
        }
    }

    /// ``startStep(_:sending:ignoringStatus:)`` with the MACRO packet the profile plans for `event`.
    func startStep(_ command: MilterCommand, macros event: MacroEvent?, ignoringStatus: Bool = false) -> StepStart {
        let definition = event.flatMap { macroDefinition(for: command.id, event: $0) }
        return startStep(command, sending: definition.map { [$0] } ?? [], ignoringStatus: ignoringStatus)
    }

    /// Writes one command with its MACRO packets, unless the step ends here (no milter, nothing
    /// to send, no reply expected, a stray reply found): the first half of a step, which never
    /// waits.
    func startStep(
        _ command: MilterCommand, sending definitions: [MacroDefinition], ignoringStatus: Bool = false
    )
        -> StepStart
    {
        let id = command.id
        if !ignoringStatus, let record = recordWithoutMilter(id) { return .done(record) }
        guard socketOpen else { return .done(StepRecord(command: id, delivery: .notSent)) }
        let start = ContinuousClock.now
        // Room for the MACRO packets and the command in one allocation (a BODY chunk's size included).
        var capacity = 256
        if case .body(let chunk) = command { capacity += chunk.readableBytes }
        var bytes = channel.channel.allocator.buffer(capacity: capacity)
        let sessionBefore = session
        let decision: MTASession.SendDecision
        do {
            for definition in definitions {
                _ = try session.commandToSend(.macro(definition))
                try bytes.writeMilterCommand(.macro(definition))
            }
            decision = try session.commandToSend(command)
            if decision != .skipEvent { try bytes.writeMilterCommand(command) }
        } catch {
            return .done(misuse(id, error))
        }
        if id != .body { skippingBody = false }
        if bytes.readableBytes == 0 { return .done(StepRecord(command: id, delivery: .skipped)) }
        let timeout = decision == .sendAndAwaitReply ? configuration.effectiveTimeouts.timeout(for: id) : nil
        let stray = channel.takeStrayReplies()
        if !stray.isEmpty {
            // Judge the stray replies as of before this command, which never goes out.
            session = sessionBefore
            return .done(fail(id, strayFinding(stray), start: start))
        }
        channel.write(bytes)
        lastSent = id
        lastWrittenWasLoneMacro = decision == .skipEvent
        guard let timeout else {
            return .done(StepRecord(command: id, delivery: decision == .skipEvent ? .skipped : .sentWithoutReply))
        }
        return .awaiting(PendingStep(id: id, timeout: timeout, start: start))
    }

    /// The next event from the milter, waiting at most `timeout`. Runs on the event loop.
    func nextEvent(timeout: TimeAmount) async -> InboxEvent {
        if let ready = channel.poll() { return ready }
        let channel = self.channel
        return await withUnsafeContinuation { channel.wait(timeout: timeout, continuation: $0) }
    }

    /// Takes one event for a started step: the step's record once its final reply (or a
    /// finding) came, `nil` while more replies are due. The second half of a step.
    func settle(_ pending: inout PendingStep, with event: InboxEvent) -> StepRecord? {
        let id = pending.id
        let kind: Finding.Kind
        switch event {
        case .reply(let reply):
            pending.replies.append(reply)
            do {
                switch try session.replyReceived(reply) {
                case .final: return finished(id, replies: pending.replies, start: pending.start)
                case .negotiated(_, let warnings):
                    negotiationWarnings = warnings
                    return finished(id, replies: pending.replies, start: pending.start)
                default: return nil
                }
            } catch {
                kind = .protocolViolation(error)
            }
        case .protocolError(let error): kind = .protocolViolation(error)
        case .timeout(let amount): kind = .timeout(amount)
        case .endOfFile: kind = .endOfFile
        case .ioError(let text): kind = .ioError(text)
        }
        var record = fail(id, Finding(kind, step: id), start: pending.start)
        record.replies = pending.replies
        return record
    }

    private func finished(_ id: MilterCommand.ID, replies: [MilterReply], start: ContinuousClock.Instant) -> StepRecord
    {
        var record = StepRecord(command: id, delivery: .awaited, replies: replies, duration: start.duration(to: .now))
        guard let final = replies.last, id != .optionNegotiation else { return record }
        switch StepEffect(final: final, at: id, replies: configuration.profile.replies) {
        case .skipRest: skippingBody = true
        case .acceptConnection:
            status = .bypass
            if !configuration.profile.quitsAfterConnectionVerdict { dropSocket() }
        case .closeConnection(let reply):
            status = .refused(reply)
            record.smtpReply = reply
            if !configuration.profile.quitsAfterConnectionVerdict || final == .shutdown { dropSocket() }
        case .refuse(let reply): record.smtpReply = reply
        case .proceed, .acceptMessage, .discard: break
        }
        return record
    }

    /// Applies the default action after a finding: the socket is dropped and every later step
    /// gets the tempfail reply (Postfix `milter8_comm_error`/`milter8_conf_error`).
    func fail(_ id: MilterCommand.ID, _ finding: Finding, start: ContinuousClock.Instant) -> StepRecord {
        let replies = configuration.profile.replies
        let reply = finding.isConfigurationError ? replies.configurationError : replies.communicationError
        status = .refused(reply)
        dropSocket()
        return StepRecord(
            command: id, delivery: .awaited, smtpReply: reply, finding: finding, duration: start.duration(to: .now))
    }

    func dropSocket() {
        guard socketOpen else { return }
        socketOpen = false
        channel.close()
    }

    private func recordWithoutMilter(_ id: MilterCommand.ID) -> StepRecord? {
        switch status {
        case .open: nil
        case .bypass: StepRecord(command: id, delivery: .notSent)
        case .refused(let reply): StepRecord(command: id, delivery: .notSent, smtpReply: reply)
        }
    }

    /// A command the caller may not send now, or data that cannot be encoded: the step is
    /// refused locally and the milter never sees it.
    private func misuse(_ id: MilterCommand.ID, _ error: MilterProtocolError) -> StepRecord {
        StepRecord(command: id, delivery: .notSent, smtpReply: "554 5.5.1 Error: \(error.code) at \(id)")
    }

    /// The MACRO packet before a command, following Postfix: none for events outside the agreed
    /// version or after SKIP; none for content events the milter switched off (Postfix does not
    /// even call back for them); otherwise sent even when the event itself is skipped (pitfall 4).
    private func macroDefinition(for id: MilterCommand.ID, event: MacroEvent) -> MacroDefinition? {
        guard sendsMacros(before: id) else { return nil }
        if (id == .header || id == .body) && !configuration.profile.sendsMacrosBeforeContent { return nil }
        if let packet = macroPackets[id.rawValue] { return packet }
        let planned: [MacroPlan.PlannedMacro]?
        if let known = plannedMacros[event] {
            planned = known
        } else {
            planned = macros.planned(for: event)
            plannedMacros[event] = planned
        }
        let values = context.values
        let packet = planned.map { MacroPlan.definition(stage: id, planned: $0, values: values) }
        macroPackets[id.rawValue] = packet
        return packet
    }

    /// Whether the negotiation lets a MACRO packet go before `id`, whatever the profile's habits.
    func sendsMacros(before id: MilterCommand.ID) -> Bool {
        guard let options = session.options else { return false }
        if (id == .data && !options.version.hasData) || (id == .unknown && !options.version.hasUnknown) {
            return false
        }
        if id == .body && skippingBody { return false }
        return !([.header, .endOfHeaders, .body].contains(id) && !options.sends(id))
    }
}
