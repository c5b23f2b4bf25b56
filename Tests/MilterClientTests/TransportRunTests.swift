import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// ``MTAConnectionStateMachine/run(_:on:)``, the one loop every connection runs, on a transport
/// that hands each step's buffer back for reuse, as the blocking transport does.
@Suite struct TransportRunTests {
    /// Passes frames to a simulated milter and hands each step's buffer back at once, noting where
    /// each buffer's bytes live.
    private struct RecyclingTransport: MilterTransport {
        let milter: SimulatedMilter
        /// Where each step's bytes lie, and the room its buffer has, in order.
        var buffers: [(address: UnsafeRawPointer?, capacity: Int)] = []

        func takeStrayReplies() -> [MilterReply] { milter.takeStrayReplies() }

        mutating func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer? {
            let frames = frames
            buffers.append((frames.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }, frames.capacity))
            // A copy: the milter's decoded commands may keep slices of what they are given.
            milter.receive(ByteBuffer(bytes: frames.readableBytesView))
            return frames
        }

        func nextEvent(within timeout: TimeAmount) -> InboxEvent? { milter.nextEvent(timeout: timeout) }
        func close() {}
        func flush() {}
    }

    /// A step's buffer is handed back while the loop runs on: if the loop still held it, the next
    /// step could not write into it and would allocate a new one (28 mallocs per message more,
    /// once). Every step after the first writes where the step before it wrote, unless it needed
    /// more room.
    /// With the no-reply flags, a step's record leads straight to the next step's frames inside
    /// one turn of the loop: the case that needs the buffer consumed.
    @Test(arguments: [MilterProtocolFlags(), .noReplies])
    func eachStepEncodesIntoTheBufferTheStepBeforeHandedBack(flags: MilterProtocolFlags) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved(answer: Scripts.answer(flags: flags)))
        var machine = MTAConnectionStateMachine(configuration: Fixtures.configuration(), client: SMTPClient())
        machine.now = milter.now
        var transport = RecyclingTransport(milter: milter)
        guard case .step = machine.run(machine.negotiationRequested(), on: &transport),
            case .step = machine.run(machine.connectRequested(), on: &transport),
            case .step = machine.run(machine.heloRequested(nil), on: &transport),
            case .transaction(let result) = machine.run(machine.messageRequested(Fixtures.message), on: &transport)
        else {
            Issue.record("the connection did not reach the end of the message")
            return
        }
        #expect(result.findings.isEmpty)
        #expect(milter.eventIDs.contains(.endOfMessage))
        let buffers = transport.buffers
        #expect(buffers.count > 10)
        let moved = zip(buffers, buffers.dropFirst()).filter { before, step in
            step.address != before.address && step.capacity <= before.capacity
        }
        #expect(moved.isEmpty, "\(moved.count) of \(buffers.count - 1) steps wrote into a new buffer")
    }
}
