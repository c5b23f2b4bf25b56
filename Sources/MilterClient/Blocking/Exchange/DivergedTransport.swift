import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore

/// The clock a machine reads while it is fed an exchange that already happened: the instants
/// recorded then, and the real clock once the exchange has caught up.
final class ReplayClock: Sendable {
    private let instant = NIOLockedValueBox<NIODeadline?>(nil)

    func set(_ value: NIODeadline?) { instant.withLockedValue { $0 = value } }

    @Sendable func now() -> NIODeadline { instant.withLockedValue { $0 } ?? .now() }
}

/// A transaction sent from an ``ExchangeMemo`` that went another way (a different reply, a
/// timeout, a reply nobody asked for): the machine runs the message from its start, and this
/// transport swallows the bytes already written (they went out already) and hands it the events
/// already read, at the instants they came, then passes everything to the socket.
struct DivergedTransport: MilterTransport {
    /// Frames written already, and when.
    typealias Written = (frames: ByteBuffer, instant: NIODeadline)
    /// An event read already, and when it came.
    typealias Read = (event: InboxEvent, instant: NIODeadline)

    var base: BlockingTransport
    /// Bytes written already that the machine will produce again, with the instant each write went.
    private var written: [Written]
    /// Events read already, with the instant each came.
    private var events: [Read]
    private var nextEventIndex = 0
    private var writeIndex = 0
    private let clock: ReplayClock

    init(
        base: BlockingTransport, written: [Written], events: [Read], clock: ReplayClock
    ) {
        self.base = base
        self.written = written.filter { $0.frames.readableBytes > 0 }
        self.events = events
        self.clock = clock
        clock.set(self.written.first?.instant)
    }

    private var replaying: Bool { writeIndex < written.count || nextEventIndex < events.count }

    mutating func takeStrayReplies() -> [MilterReply] {
        // The replies nobody asked for were looked for before each recorded write already.
        if replaying { return [] }
        clock.set(nil)
        return base.takeStrayReplies()
    }

    mutating func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer? {
        var frames = frames
        while frames.readableBytes > 0, writeIndex < written.count {
            let count = min(frames.readableBytes, written[writeIndex].frames.readableBytes)
            let mine = frames.readSlice(length: count)!
            let theirs = written[writeIndex].frames.readSlice(length: count)!
            assert(mine == theirs, "an exchange sent again from its record must match what the machine sends")
            if written[writeIndex].frames.readableBytes == 0 {
                writeIndex += 1
                if writeIndex < written.count { clock.set(written[writeIndex].instant) }
            }
        }
        if frames.readableBytes == 0 { return nil }
        clock.set(nil)
        return base.enqueue(frames)
    }

    mutating func nextEvent(within timeout: TimeAmount) -> InboxEvent? {
        guard nextEventIndex < events.count else {
            clock.set(nil)
            return base.nextEvent(within: timeout)
        }
        let (event, instant) = events[nextEventIndex]
        // The machine waits `timeout` from now: an event that came later than that was too late.
        let asked = clock.now() + timeout
        if asked < instant {
            nextEventIndex = events.count
            clock.set(asked)
            return .timeout(timeout)
        }
        nextEventIndex += 1
        clock.set(instant)
        return event
    }

    /// Reads what arrived without waiting, once the exchange has caught up (before that, the
    /// replies nobody asked for were looked for before each recorded write already).
    mutating func readAvailable() {
        if !replaying { base.readAvailable() }
    }

    mutating func close() { base.close() }

    mutating func flush() { base.flush() }
}
