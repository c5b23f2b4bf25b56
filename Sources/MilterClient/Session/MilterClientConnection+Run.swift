import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// What carrying out the machine's actions came to.
    enum Outcome {
        /// The machine waits for the milter, at most this long.
        case waiting(TimeAmount)
        /// A step's record.
        case step(StepRecord)
        /// A transaction's result.
        case transaction(TransactionResult)
        /// What QUIT or a wait for stray replies found.
        case finding(Finding?)
    }

    /// Carries out the machine's actions, one after the other, until the machine hands something
    /// back or waits for a milter event that has not come yet. The one place that touches the
    /// socket. Runs on the event loop.
    ///
    /// The frames of one run leave together, in one buffer, when the run stops (or before a
    /// close): the commands that take no reply (NR events, MACRO, ABORT) go in one write with
    /// the next command that does, as a buffered MTA sends them.
    func run(_ first: MTAConnectionStateMachine.Action) -> Outcome {
        var action = first
        var unsent: ByteBuffer?
        defer { if let unsent { channel.write(unsent) } }
        while true {
            switch action {
            case .write(var bytes):
                let stray = channel.takeStrayReplies()
                if !stray.isEmpty {
                    action = machine.strayRepliesFound(stray)
                    continue
                }
                if unsent == nil {
                    unsent = bytes
                } else {
                    unsent!.writeBuffer(&bytes)
                }
                action = machine.written()
            case .wait(let timeout):
                guard let event = channel.poll() else { return .waiting(timeout) }
                action = machine.eventReceived(event)
            case .close:
                if let bytes = unsent { channel.write(bytes) }
                unsent = nil
                channel.close()
                action = machine.closed()
            case .deliverStep(let record): return .step(record)
            case .deliverTransaction(let result): return .transaction(result)
            case .deliverFinding(let finding): return .finding(finding)
            }
        }
    }

    /// ``run(_:)``, awaiting each milter event the machine waits for.
    func drive(_ first: MTAConnectionStateMachine.Action) async -> Outcome { await drive(from: run(first)) }

    /// Carries on from `outcome`, awaiting each milter event the machine waits for.
    func drive(from outcome: Outcome) async -> Outcome {
        var outcome = outcome
        while case .waiting(let timeout) = outcome {
            let channel = self.channel
            let event = await withUnsafeContinuation { channel.wait(timeout: timeout, continuation: $0) }
            outcome = run(machine.eventReceived(event))
        }
        return outcome
    }

    /// ``drive(_:)`` for an action that ends with a step's record.
    func driveStep(_ first: MTAConnectionStateMachine.Action) async -> StepRecord {
        guard case .step(let record) = await drive(first) else { preconditionFailure("a step ends with its record") }
        return record
    }

    /// ``drive(_:)`` for an action that ends with a transaction's result.
    func driveTransaction(_ first: MTAConnectionStateMachine.Action) async -> TransactionResult {
        guard case .transaction(let result) = await drive(first) else {
            preconditionFailure("a transaction ends with its result")
        }
        return result
    }

    /// ``drive(_:)`` for an action that ends with a finding or none.
    func driveFinding(_ first: MTAConnectionStateMachine.Action) async -> Finding? {
        guard case .finding(let finding) = await drive(first) else { preconditionFailure("expected a finding") }
        return finding
    }
}
