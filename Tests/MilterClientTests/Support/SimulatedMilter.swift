import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore

/// A ``ScriptedMilter`` script played with no socket and no clock: it reads the frames the
/// client's state machine writes and answers with the machine's inbox events.
///
/// A script's actions up to its first pause happen as soon as the command arrives, as from a
/// fast milter; pauses run on a virtual clock during the machine's waits, so a pause longer
/// than the wait's timeout is a timeout, at once. The virtual clock moves by the pauses played
/// and by every wait that times out; the machine reads it (``now``), so deadlines run on it too.
final class SimulatedMilter {
    /// Virtual time since the simulation started.
    let elapsed = NIOLockedValueBox(Duration.zero)
    private let origin = NIODeadline.now()

    /// The virtual clock, for ``MTAConnectionStateMachine/now``.
    var now: @Sendable () -> NIODeadline {
        let origin = origin
        let elapsed = elapsed
        return {
            let (seconds, attoseconds) = elapsed.withLockedValue { $0 }.components
            return origin + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }

    let script: ScriptedMilter.Script
    /// Every command received, in order.
    private(set) var commands: [MilterCommand] = []
    /// The IDs of the commands of each write, in order, MACRO packets left out.
    private(set) var writes: [[MilterCommand.ID]] = []
    private var commandDecoder = MilterCommandDecoder()
    private var replyDecoder: MilterReplyDecoder
    private var unfinished = ByteBuffer()
    // Queues, not arrays: a script of a million replies must not cost a million shifts each.
    private var scheduled = CircularBuffer<ScriptedMilter.Action>()
    private var arrived = CircularBuffer<InboxEvent>()
    private var terminal: InboxEvent?

    /// The IDs of ``commands``, MACRO packets left out.
    var eventIDs: [MilterCommand.ID] { commands.map(\.id).filter { $0 != .macro } }

    /// The MACRO packets received.
    var macroPackets: [MacroDefinition] {
        commands.compactMap { if case .macro(let definition) = $0 { definition } else { nil } }
    }

    init(
        script: @escaping ScriptedMilter.Script,
        maximumReplyLength: Int = MilterFrameLimits.replies.maximumPayloadLength
    ) {
        self.script = script
        replyDecoder = MilterReplyDecoder(limits: MilterFrameLimits(maximumPayloadLength: maximumReplyLength))
    }

    /// Takes the frames the client wrote and runs the script for each command.
    func receive(_ bytes: ByteBuffer) {
        var bytes = bytes
        writes.append([])
        while let command = try! commandDecoder.decode(buffer: &bytes) {
            commands.append(command)
            if command.id != .macro { writes[writes.count - 1].append(command.id) }
            scheduled.append(contentsOf: script(command))
        }
        play(until: nil)
    }

    /// The replies that arrived while nobody waited (``MilterChannel``'s stray replies).
    func takeStrayReplies() -> [MilterReply] {
        var replies: [MilterReply] = []
        while case .reply(let reply)? = arrived.first {
            replies.append(reply)
            arrived.removeFirst()
        }
        return replies
    }

    /// The next event within `timeout` of virtual time.
    func nextEvent(timeout: TimeAmount) -> InboxEvent {
        let waited = play(until: timeout)
        if !arrived.isEmpty { return arrived.removeFirst() }
        if let terminal { return terminal }
        advance(by: timeout.nanoseconds - waited)
        return .timeout(timeout)
    }

    /// Plays the script's actions until an event arrived and, with a `timeout`, through pauses
    /// shorter than what is left of it; without one, up to the first pause.
    /// Returns the virtual nanoseconds spent in pauses.
    @discardableResult
    private func play(until timeout: TimeAmount?) -> Int64 {
        var left = timeout?.nanoseconds ?? 0
        let budget = left
        while arrived.isEmpty, terminal == nil, !scheduled.isEmpty {
            let action = scheduled.removeFirst()
            switch action {
            case .pause(let amount):
                guard timeout != nil, amount.nanoseconds <= left else {
                    let rest = timeout == nil ? amount : .nanoseconds(amount.nanoseconds - left)
                    scheduled.prepend(.pause(rest))
                    return budget - left
                }
                left -= amount.nanoseconds
                advance(by: amount.nanoseconds)
            case .waitFor(let counter, let target):
                // Held back, as a pause with no end, until something else raises the count.
                guard counter.value >= target else {
                    scheduled.prepend(action)
                    return timeout == nil ? 0 : budget - left
                }
            case .reply(let reply): arrived.append(.reply(reply))
            case .together(let replies): arrived.append(contentsOf: replies.lazy.map { .reply($0) })
            case .raw(let bytes): decode(ByteBuffer(bytes: bytes), atEnd: false)
            case .close:
                scheduled.removeAll()
                decode(ByteBuffer(), atEnd: true)
                if terminal == nil { terminal = .endOfFile }
            case .stopReading: break  // No socket buffers here: the MTA's writes never stall.
            }
        }
        return timeout == nil ? 0 : budget - left
    }

    private func advance(by nanoseconds: Int64) {
        elapsed.withLockedValue { $0 += .nanoseconds(nanoseconds) }
    }

    private func decode(_ bytes: ByteBuffer, atEnd: Bool) {
        var bytes = bytes
        unfinished.writeBuffer(&bytes)
        do {
            while let reply = try replyDecoder.decode(buffer: &unfinished) { arrived.append(.reply(reply)) }
            if atEnd, let reply = try replyDecoder.decodeLast(buffer: &unfinished, seenEOF: true) {
                arrived.append(.reply(reply))
            }
        } catch {
            terminal = .protocolError(error)
            scheduled.removeAll()
        }
    }
}
