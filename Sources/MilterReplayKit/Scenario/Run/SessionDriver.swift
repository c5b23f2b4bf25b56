import MailMessage
import MilterClient
import MilterProtocol
import NIOCore

/// Carries out a session's steps on one milter connection, as the MTA would, and hands back what
/// the milter did at each.
struct SessionDriver {
    /// The milter connection of the SMTP session: after `xclient`, the new one.
    private(set) var connection: MilterClientConnection
    /// How long a `raw` step waits for the milter to close or answer.
    let rawWait: TimeAmount
    /// Whether a transaction is open (MAIL sent, not yet ended).
    private var transactionOpen = false
    /// Whether QUIT_NC went: the next CONNECT is a new client's on the same connection.
    private var afterQuitNewConnection = false
    /// Whether CONNECT, and HELO, went for the current client.
    private var connected = false
    private var greeted = false
    /// The records of the CONNECT and HELO sent on the scenario's behalf before the step.
    private var implicitRecords: [StepRecord] = []
    /// The commands an earlier verdict kept from the milter (it ended the session or the transaction), each with
    /// the reason, since ``takeKeptBack()`` last took them.
    private var keptBack: [KeptBack] = []
    /// The last verdict other than CONTINUE or SKIP, as `reject at connect`.
    private var lastVerdict: String?

    init(connection: MilterClientConnection, rawWait: TimeAmount) {
        self.connection = connection
        self.rawWait = rawWait
    }

    /// Carries out one step, after the CONNECT and HELO the MTA would have sent first if the scenario
    /// leaves them out (a session that starts with `mail` or `message`); their findings count at the step.
    mutating func run(_ action: ScenarioAction) async throws(CorpusError) -> StepObservation {
        implicitRecords = []
        switch action {
        case .helo, .unknown, .startTLS, .xclient: await ensureConnected()
        case .mail, .message:
            await ensureConnected()
            if !greeted { implicitRecords.append(await greet(nil, extended: true)) }
        default: break
        }
        let observation = try await runStep(action)
        let agreed = await connection.options
        note(implicitRecords, agreed: agreed)
        note(observation, agreed: agreed)
        guard !implicitRecords.isEmpty else { return observation }
        switch observation {
        case .records(let records): return .records(implicitRecords + records)
        case .transaction(var result):
            result.findings = implicitRecords.compactMap(\.finding) + result.findings
            return .transaction(result)
        case .findings, .raw, .notSent: return observation
        }
    }

    private mutating func ensureConnected() async {
        guard !connected else { return }
        implicitRecords.append(await connect(ConnectSpec()))
    }

    /// The client's HELO, or its EHLO (`extended`), which the MTA sends before a scenario's first `mail` or `message`.
    private mutating func greet(_ name: String?, extended: Bool) async -> StepRecord {
        greeted = true
        return await connection.helo(name, extended: extended)
    }

    private mutating func runStep(_ action: ScenarioAction) async throws(CorpusError) -> StepObservation {
        switch action {
        case .connect(let spec): return .records([await connect(spec)])
        case .helo(let name, let extended): return .records([await greet(name, extended: extended)])
        case .startTLS(let tls):
            let record = await connection.startTLS(tls)
            guard record.delivery == .notSent, record.smtpReply == nil else { return .records([record]) }
            // Nothing to report when nothing went and STARTTLS was not refused (Sendmail, or no HELO yet); but a
            // case about the ABORT of STARTTLS tested nothing.
            keepBack(.abort, reason: Self.noAbortAtStartTLS)
            return .records([])
        case .xclient(let spec): return try await xclient(spec)
        case .mail(let spec):
            await endOpenTransaction()
            transactionOpen = true
            return .records([await connection.mail(spec.envelope)])
        case .rcpt(let spec): return .records([await connection.recipient(spec.envelope)])
        case .data: return .records([await connection.data()])
        case .headers(let source):
            var records: [StepRecord] = []
            for field in try ScenarioContent.headerFields(source) { records.append(await connection.header(field)) }
            return .records(records)
        case .endOfHeaders: return .records([await connection.endOfHeaders()])
        case .body(let source): return .records(await connection.body(try ScenarioContent.body(source)))
        default: return try await runEnding(action)
        }
    }

    /// The steps that end a transaction or the connection, or leave the protocol.
    private mutating func runEnding(_ action: ScenarioAction) async throws(CorpusError) -> StepObservation {
        switch action {
        case .endOfMessage:
            _ = await connection.endOfMessage()
            transactionOpen = false
            return .transaction(await connection.finishTransaction())
        case .abort:
            transactionOpen = false
            // The MTA sends no ABORT once a verdict ended the session; the result then has no ABORT record.
            if await connection.sessionEnded { keepBack(.abort, "ABORT") }
            let result = await connection.abort()
            if result.steps.contains(where: { $0.command == .abort && $0.delivery == .notSent }) {
                keepBack(.abort, reason: Self.noMessageToAbort)
            }
            return .transaction(result)
        case .message(let spec):
            await endOpenTransaction()
            let message = MilterMessage(
                sender: spec.sender.envelope, recipients: spec.recipients.map(\.envelope),
                headerFields: try ScenarioContent.headerFields(spec.headers), body: try ScenarioContent.body(spec.body))
            return .transaction(await connection.send(message))
        case .unknown(let line): return .records([await connection.unknownCommand(line)])
        case .listen(let seconds):
            let finding = await connection.listenForStrayReplies(for: .milliseconds(Int64(seconds * 1000)))
            return .findings(finding.map { [$0] } ?? [])
        case .quit:
            await endOpenTransaction()
            // QUIT goes even after a verdict, unless the verdict made the MTA close the socket.
            if await !connection.socketOpen { keepBack(.quit, "QUIT") }
            return .findings(await connection.quit())
        case .quitNewConnection:
            await endOpenTransaction()
            afterQuitNewConnection = true
            connected = false
            greeted = false
            return .records([await connection.quitNewConnection()])
        case .raw(let spec):
            // The MTA writes nothing after a verdict that ended the session, nor a message's command after one
            // that ended the transaction (ACCEPT at EOH, REJECT at RCPT): the bytes would test nothing, and
            // break the protocol besides.
            let sessionEnded = await connection.sessionEnded
            let transactionEnded = await connection.transactionEnded
            if sessionEnded || transactionEnded {
                keepBack(.raw, "the raw bytes")
                return .notSent
            }
            return .raw(await connection.writeRaw(spec.bytes, waitingUpTo: rawWait))
        default: preconditionFailure("every other step is run by run(_:)")
        }
    }

    /// Notes the verdicts of a step's records, and the first command an earlier verdict, or the milter's own
    /// NO flag, kept from the milter.
    private mutating func note(_ observation: StepObservation, agreed: NegotiatedOptions?) {
        switch observation {
        case .records(let records): note(records, agreed: agreed)
        case .transaction(let result): note(result.steps, agreed: agreed)
        case .findings, .raw, .notSent: break
        }
    }

    private mutating func note(_ records: [StepRecord], agreed: NegotiatedOptions?) {
        for record in records {
            if record.delivery == .skipped, let agreed, let withheld = SwitchedOffEvent(record.command, under: agreed) {
                // Not a SKIP reply (BODY chunks after it): the agreement itself says the MTA sends no such command.
                if let command = ExercisedCommand(record.command) {
                    keepBack(command, reason: withheld.reason, flag: withheld.flag)
                }
            } else if record.delivery == .notSent, record.refusal == nil, record.finding == nil {
                if let command = ExercisedCommand(record.command) { keepBack(command, "\(record.command)") }
            } else if record.finding?.severity != .error, let final = record.finalReply, final != .continue,
                final != .skip
            {
                let verdict = ExpectationChecker.verdict(record).rawValue
                lastVerdict = "\(verdict) at \(record.command)"
            }
        }
    }

    /// Notes a command kept from the milter, once per command word: the first time is the one a report names.
    private mutating func keepBack(_ command: ExercisedCommand, _ what: String) {
        let verdict = lastVerdict.map { "the milter's \($0)" } ?? "an earlier verdict"
        keepBack(
            command,
            reason: "not exercised: \(verdict) ended the session or transaction before \(what) reached the milter")
    }

    private mutating func keepBack(_ command: ExercisedCommand, reason: String, flag: MilterProtocolFlags? = nil) {
        guard !keptBack.contains(where: { $0.command == command }) else { return }
        keptBack.append(KeptBack(command: command, reason: reason, flag: flag))
    }

    /// Why STARTTLS brought the milter no ABORT: Sendmail's `srvrsmtp.c` tells the milter nothing at STARTTLS,
    /// and Postfix's `helo_reset` aborts only a session that had a HELO.
    private static let noAbortAtStartTLS =
        "not exercised: the MTA sent the milter no ABORT at STARTTLS (Sendmail never does, Postfix not before a HELO)"

    /// Why an `abort` outside a message never reached the milter: Sendmail's `milter_abort` writes only to
    /// a milter in the message (`SMFS_INMSG`).
    private static let noMessageToAbort =
        "not exercised: the MTA sends ABORT only to a milter in a message (Sendmail's milter_abort), and none was"

    /// The commands kept from the milter since the last call, each once, in order.
    mutating func takeKeptBack() -> [KeptBack] {
        defer { keptBack = [] }
        return keptBack
    }

    /// CONNECT: the client the connection was opened with, or after QUIT_NC the new one.
    private mutating func connect(_ spec: ConnectSpec) async -> StepRecord {
        connected = true
        guard afterQuitNewConnection else { return await connection.connect() }
        afterQuitNewConnection = false
        return await connection.connect(as: spec.client)
    }

    /// XCLIENT (Postfix `smtpd.c` `xclient_cmd`): ABORT unless XCLIENT names a HELO, QUIT and the close of this
    /// milter connection; then a new one for the new client, with OPTNEG and CONNECT, keeping the TLS session.
    private mutating func xclient(_ spec: XClientSpec) async throws(CorpusError) -> StepObservation {
        let outcome: XClientOutcome
        do {
            outcome = try await connection.xclient(spec)
        } catch .reconnect(let error) {
            throw CorpusError(description: "'xclient': the new milter connection failed: \(error)")
        } catch {
            throw CorpusError(description: "'xclient': \(error)")
        }
        var records = outcome.findings.map { StepRecord(command: .quit, delivery: .sentWithoutReply, finding: $0) }
        connection = outcome.connection
        let negotiation = await connection.negotiation
        if negotiation.finding != nil { records.append(negotiation) }
        connected = true
        greeted = spec.helo != nil
        records.append(outcome.connect)
        return .records(records)
    }

    /// Ends a transaction left open (a verdict before end of message), as the MTA's RSET does.
    private mutating func endOpenTransaction() async {
        guard transactionOpen else { return }
        transactionOpen = false
        _ = await connection.finishTransaction()
    }
}

/// A command that never reached the milter because an earlier verdict ended the session or the transaction, or
/// because the milter's own NO flag (or the agreed version) switched it off.
struct KeptBack: Hashable, Sendable {
    var command: ExercisedCommand
    /// `not exercised: the milter's accept at EOH ended … before BODY reached the milter`.
    var reason: String
    /// The NO flag the milter asked for that switched the command off, if that is why it never went.
    var flag: MilterProtocolFlags? = nil
}

extension ConnectSpec {
    /// The SMTP client as MilterClient reports it.
    var client: SMTPClient {
        switch family {
        case .unknown: SMTPClient(hostname: hostname, address: nil, port: port)
        case .unix:
            SMTPClient(hostname: hostname, address: address.hasPrefix("/") ? address : "/" + address, port: 0)
        case .inet, .inet6: SMTPClient(hostname: hostname, address: address, port: port)
        }
    }
}
