import MilterProtocol
import NIOCore

/// One milter connection, as an MTA holds it for one SMTP connection: OPTNEG, CONNECT, HELO,
/// then any number of transactions, then QUIT.
///
/// Every reply is checked by `MTASession`; the first rule the milter breaks (or a timeout, or
/// EOF) becomes a ``Finding``, the socket is dropped, and from then on every step gets the
/// profile's default-action reply (tempfail), as Postfix does. Nothing here ever waits longer
/// than the profile's timeouts.
///
/// The connection is an actor whose executor is its channel's event loop: every step runs on
/// that thread and talks to the socket without a hop.
///
/// ```swift
/// let connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: 7044))
/// _ = await connection.connect()
/// _ = await connection.helo()
/// let result = await connection.send(message)
/// await connection.quit()
/// ```
public actor MilterClientConnection {
    /// The configuration in force.
    public let configuration: MilterClientConfiguration
    /// The SMTP client reported in CONNECT and HELO.
    public let client: SMTPClient
    /// The OPTNEG step.
    public private(set) var negotiation: StepRecord
    /// Warnings from OPTNEG that do not stop the session (bits asked for but not offered).
    public internal(set) var negotiationWarnings: [MilterProtocolError] = []
    /// Findings outside any transaction (at CONNECT, HELO, QUIT).
    public private(set) var connectionFindings: [Finding] = []

    let channel: MilterChannel
    var session: MTASession
    var macros: MacroPlan {
        didSet {
            plannedMacros.removeAll(keepingCapacity: true)
            macroPackets.removeAll(keepingCapacity: true)
        }
    }
    var context: MacroContext { didSet { macroPackets.removeAll(keepingCapacity: true) } }
    /// The macros of each event, their names resolved, since `macros` last changed.
    var plannedMacros: [MacroEvent: [MacroPlan.PlannedMacro]?] = [:]
    /// The MACRO packets since `macros` or `context` last changed, by stage: a message's ten
    /// HEADER steps share one.
    var macroPackets: [UInt8: MacroDefinition?] = [:]
    var status = Status.open
    var socketOpen = true
    var transaction = TransactionState()
    var skippingBody = false
    var lastSent: MilterCommand.ID = .optionNegotiation
    var lastWrittenWasLoneMacro = false
    var transactionCount = 0
    /// The message ``send(_:)`` is driving, if any.
    var run: MessageRun?
    var eventHandlerInstalled = false

    /// Where the connection stands.
    enum Status: Equatable {
        /// Events go to the milter.
        case open
        /// The milter accepted the connection: no more events, every message is delivered unfiltered.
        case bypass
        /// The connection was refused (verdict at CONNECT/HELO, SHUTDOWN, or a finding): every later step gets this reply.
        case refused(String)
    }

    init(channel: MilterChannel, configuration: MilterClientConfiguration, client: SMTPClient) {
        self.channel = channel
        self.executor = channel.channel.eventLoop.executor.asUnownedSerialExecutor()
        self.configuration = configuration
        self.client = client
        self.session = MTASession(rules: configuration.profile.rules)
        self.macros = MacroPlan(profile: configuration.profile, overrides: configuration.macroOverrides)
        self.context = MacroContext(identity: configuration.identity, profile: configuration.profile, client: client)
        self.negotiation = StepRecord(command: .optionNegotiation, delivery: .notSent)
    }

    /// The channel's event loop: the actor's executor.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor }

    /// The channel's event loop as an executor, worked out once: Swift asks for it at every hop.
    /// Unowned is safe: the channel, which the actor keeps, keeps its event loop.
    private nonisolated let executor: UnownedSerialExecutor

    /// Connects to a milter and negotiates. A refused negotiation is not thrown: it is a finding
    /// on ``negotiation``, and every later step gets the default action.
    public static func open(
        to address: MilterAddress, configuration: MilterClientConfiguration = MilterClientConfiguration(),
        client: SMTPClient = SMTPClient(), group: any EventLoopGroup = MilterClientDefaults.eventLoopGroup
    ) async throws(MilterConnectError) -> MilterClientConnection {
        let channel: MilterChannel
        do {
            channel = try await MilterChannel.connect(
                to: address, timeout: configuration.effectiveTimeouts.connect,
                maximumReplyLength: configuration.maximumReplyLength, group: group)
        } catch {
            throw MilterConnectError(address: address, reason: String(describing: error))
        }
        let connection = MilterClientConnection(channel: channel, configuration: configuration, client: client)
        await connection.negotiate()
        return connection
    }

    /// The agreement, once negotiated.
    public var options: NegotiatedOptions? { session.options }

    private func negotiate() async {
        let offer = configuration.offer ?? configuration.profile.offer(version: configuration.version)
        negotiation = await perform(.optionNegotiation(offer), macros: nil)
        if let finding = negotiation.finding { connectionFindings.append(finding) }
        macros.options = session.options
    }

    /// Sends CONNECT with the client's address.
    @discardableResult
    public func connect() async -> StepRecord {
        await connectionStep(.connect(client.connectInfo(profile: configuration.profile)))
    }

    /// Sends HELO with the client's HELO name, or `name`.
    @discardableResult
    public func helo(_ name: String? = nil) async -> StepRecord {
        await connectionStep(.helo(MilterString(name ?? client.helo)))
    }

    /// Sends an SMTP command the MTA does not know (UNKNOWN, version 3 and later).
    @discardableResult
    public func unknownCommand(_ line: String) async -> StepRecord {
        await connectionStep(.unknown(MilterString(line)))
    }

    private func connectionStep(_ command: MilterCommand) async -> StepRecord {
        let record = await perform(command, macros: MacroEvent(command: command.id))
        if let finding = record.finding { connectionFindings.append(finding) }
        return record
    }

    /// Sends QUIT (unless the conversation is already over), waits briefly for the milter to
    /// close, and closes the socket. Replies seen meanwhile are findings, returned and kept in
    /// ``connectionFindings``.
    @discardableResult
    public func quit() async -> [Finding] {
        var findings: [Finding] = []
        if socketOpen {
            let record = await perform(.quit, macros: nil, ignoringStatus: true)
            if let finding = record.finding { findings.append(finding) }
            if findings.isEmpty, let finding = await drainAfterQuit() { findings.append(finding) }
        }
        socketOpen = false
        channel.close()
        connectionFindings += findings
        return findings
    }

    private func drainAfterQuit() async -> Finding? {
        while true {
            switch await nextEvent(timeout: configuration.quitDrainTimeout) {
            case .reply(let reply): return strayFinding([reply])
            case .protocolError(let error): return Finding(.protocolViolation(error), step: .quit)
            case .timeout, .endOfFile, .ioError: return nil
            }
        }
    }

    /// Waits up to `duration` for a reply nobody asked for (to ABORT, a MACRO, an NR event, or a
    /// second final reply) and returns it as a finding. The wait ends at the first reply, so a
    /// generous bound costs nothing when the milter misbehaves; a well-behaved milter costs the
    /// whole wait. Without it such replies are still found, at the next command.
    public func listenForStrayReplies(for duration: TimeAmount) async -> Finding? {
        guard socketOpen, case .open = status else { return nil }
        let finding: Finding
        switch await nextEvent(timeout: duration) {
        case .timeout: return nil
        case .reply(let reply): finding = strayFinding([reply])
        case .protocolError(let error): finding = Finding(.protocolViolation(error), step: lastSent)
        case .endOfFile: finding = Finding(.endOfFile, step: lastSent)
        case .ioError(let text): finding = Finding(.ioError(text), step: lastSent)
        }
        _ = fail(finding.step, finding, start: .now)
        connectionFindings.append(finding)
        return finding
    }

    /// The finding for replies that arrived while none was due, classified by `MTASession`.
    func strayFinding(_ replies: [MilterReply]) -> Finding {
        let step = lastSent
        for reply in replies {
            do {
                _ = try session.replyReceived(reply)
            } catch {
                return Finding(.protocolViolation(answeringMacro(error)), step: step)
            }
        }
        let error = MilterProtocolError(.unsolicitedReply, commandByte: replies.first?.id.rawValue)
        return Finding(.protocolViolation(error), step: step)
    }

    /// `MTASession` sees the skipped event, not that only its MACRO went on the wire; a reply
    /// then answers the MACRO (pitfall 1).
    private func answeringMacro(_ error: MilterProtocolError) -> MilterProtocolError {
        guard error.code == .unsolicitedReply, lastWrittenWasLoneMacro else { return error }
        var recoded = error
        recoded.code = .replyToNoReplyCommand
        recoded.detail = "a reply after a MACRO whose event was not sent, which takes none"
        return recoded
    }
}
