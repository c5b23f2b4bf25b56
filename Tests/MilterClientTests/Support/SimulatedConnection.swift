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

    /// Carries the machine's actions out until it hands something back, as the actor does.
    func run(_ first: Machine.Action) -> Machine.Action {
        var action = first
        while true {
            switch action {
            case .write(let bytes):
                let stray = milter.takeStrayReplies()
                if !stray.isEmpty {
                    action = machine.strayRepliesFound(stray)
                    continue
                }
                milter.receive(bytes)
                action = machine.written()
            case .wait(let timeout): action = machine.eventReceived(milter.nextEvent(timeout: timeout))
            case .close:
                closes += 1
                action = machine.closed()
            case .deliverStep, .deliverTransaction, .deliverFinding: return action
            }
        }
    }

    @discardableResult
    func step(_ first: Machine.Action) -> StepRecord {
        guard case .deliverStep(let record) = run(first) else { fatalError("a step ends with its record") }
        return record
    }

    func transaction(_ first: Machine.Action) -> TransactionResult {
        guard case .deliverTransaction(let result) = run(first) else { fatalError("expected a result") }
        return result
    }

    func finding(_ first: Machine.Action) -> Finding? {
        guard case .deliverFinding(let finding) = run(first) else { fatalError("expected a finding") }
        return finding
    }

    @discardableResult func connect() -> StepRecord { step(machine.connectRequested()) }
    @discardableResult func helo(_ name: String? = nil) -> StepRecord { step(machine.heloRequested(name)) }
    func send(_ message: MilterMessage) -> TransactionResult { transaction(machine.messageRequested(message)) }
    @discardableResult func quit() -> [Finding] { finding(machine.quitRequested()).map { [$0] } ?? [] }
    func listenForStrayReplies(for duration: TimeAmount) -> Finding? {
        finding(machine.listenRequested(for: duration))
    }
    @discardableResult func mail(_ sender: EnvelopeAddress) -> StepRecord {
        step(machine.transactionStepRequested(.mail(sender)))
    }
    @discardableResult func recipient(_ recipient: EnvelopeAddress) -> StepRecord {
        step(machine.transactionStepRequested(.recipient(recipient)))
    }
    func abort() -> TransactionResult { transaction(machine.endOfTransactionRequested()) }
    @discardableResult func replay(_ command: MilterCommand, macros: [MacroDefinition] = []) -> StepRecord {
        step(machine.replayRequested(command, macros: macros))
    }
}
