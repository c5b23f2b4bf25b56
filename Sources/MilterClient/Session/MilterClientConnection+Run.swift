import MilterProtocol
import NIOCore

extension MilterClientConnection {
    /// Carries out the machine's actions on the channel until the machine hands something back or
    /// waits for a milter event that has not come yet (``MTAConnectionStateMachine/run(_:on:)``).
    /// The one place that touches the socket. Runs on the event loop.
    func run(_ first: MTAConnectionStateMachine.Action) -> MilterRunOutcome {
        var transport = ChannelTransport(channel: channel)
        return machine.run(first, on: &transport)
    }

    /// ``run(_:)``, awaiting each milter event the machine waits for.
    func drive(_ first: MTAConnectionStateMachine.Action) async -> MilterRunOutcome { await drive(from: run(first)) }

    /// Carries on from `outcome`, awaiting each milter event the machine waits for.
    func drive(from outcome: MilterRunOutcome) async -> MilterRunOutcome {
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
        await drive(first).record
    }

    /// ``drive(_:)`` for an action that ends with a transaction's result.
    func driveTransaction(_ first: MTAConnectionStateMachine.Action) async -> TransactionResult {
        await drive(first).result
    }

    /// ``drive(_:)`` for an action that ends with a finding or none.
    func driveFinding(_ first: MTAConnectionStateMachine.Action) async -> Finding? {
        await drive(first).foundFinding
    }
}
