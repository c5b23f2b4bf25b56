import MailMessage
import MilterClient
import MilterProtocol
import NIOCore

/// ``MilterClientConnection``'s API on the bare state machine, against a ``SimulatedMilter``:
/// the same steps, records and results, with no socket, no event loop and no sleep.
final class SimulatedConnection {
    typealias Machine = MTAConnectionStateMachine

    private(set) var machine: Machine
    let milter: SimulatedMilter
    /// How many times the machine asked for the socket to be closed.
    private(set) var closes = 0

    /// Negotiates with `milter`.
    init(milter: SimulatedMilter, configuration: MilterClientConfiguration, client: SMTPClient = SMTPClient()) {
        self.milter = milter
        machine = Machine(configuration: configuration, client: client)
        machine.connectionTag = 0xABCDE
        machine.now = milter.now
        _ = step(machine.negotiationRequested())
    }

    var connectionFindings: [Finding] { machine.connectionFindings }
    var negotiation: StepRecord { machine.negotiation }

    /// Carries the machine's actions out until it hands something back, as the connections do.
    func run(_ first: Machine.Action) -> MilterRunOutcome {
        var transport = SimulatedTransport(milter: milter)
        defer { closes += transport.closes }
        return machine.run(first, on: &transport)
    }

    @discardableResult
    func step(_ first: Machine.Action) -> StepRecord {
        run(first).record
    }

    func transaction(_ first: Machine.Action) -> TransactionResult {
        run(first).result
    }

    func finding(_ first: Machine.Action) -> Finding? {
        run(first).foundFinding
    }

    @discardableResult func connect() -> StepRecord { step(machine.connectRequested()) }
    @discardableResult func helo(_ name: String? = nil, extended: Bool = true) -> StepRecord {
        step(machine.heloRequested(name, extended: extended))
    }
    func send(_ message: MilterMessage) -> TransactionResult { transaction(machine.messageRequested(message)) }
    @discardableResult func quit() -> [Finding] { finding(machine.quitRequested()).map { [$0] } ?? [] }
    @discardableResult func startTLS(_ tls: TLSSession = TLSSession()) -> StepRecord {
        step(machine.startTLSRequested(tls))
    }
    func quitForXClient(keepsHelo: Bool) -> Finding? { finding(machine.xclientQuitRequested(keepsHelo: keepsHelo)) }
    func adoptSession(tls: TLSSession?, heloGiven: Bool, smtpProtocol: XClientAttributes.SMTPProtocol = .smtp) {
        machine.adoptSession(tls: tls, heloGiven: heloGiven, smtpProtocol: smtpProtocol)
    }
    func listenForStrayReplies(for duration: TimeAmount) -> Finding? {
        finding(machine.listenRequested(for: duration))
    }
    @discardableResult func mail(_ sender: EnvelopeAddress) -> StepRecord {
        step(machine.transactionStepRequested(.mail(sender)))
    }
    @discardableResult func recipient(_ recipient: EnvelopeAddress) -> StepRecord {
        step(machine.transactionStepRequested(.recipient(recipient)))
    }
    /// Any one step of the transaction (DATA, a header, EOH, a body chunk), as the connection's own API takes it.
    @discardableResult func transactionStep(_ step: Machine.TransactionStep) -> StepRecord {
        self.step(machine.transactionStepRequested(step))
    }
    func abort() -> TransactionResult { transaction(machine.endOfTransactionRequested()) }
    @discardableResult func replay(
        _ command: MilterCommand, macros: [MacroDefinition] = [], frames: ReplayFrames? = nil
    ) -> StepRecord {
        step(machine.replayRequested(command, macros: macros, frames: frames))
    }
}

/// The simulated milter as the machine's transport: frames reach it at once, and every wait gets
/// its next event without sleeping.
private struct SimulatedTransport: MilterTransport {
    let milter: SimulatedMilter
    /// How many times the machine asked for the socket to be closed.
    private(set) var closes = 0

    func takeStrayReplies() -> [MilterReply] { milter.takeStrayReplies() }

    func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer? {
        milter.receive(frames)
        return nil
    }

    func nextEvent(within timeout: TimeAmount) -> InboxEvent? { milter.nextEvent(timeout: timeout) }

    mutating func close() { closes += 1 }

    func flush() {}
}
