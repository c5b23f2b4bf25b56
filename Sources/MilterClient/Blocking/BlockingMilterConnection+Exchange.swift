import MilterProtocol
import NIOCore

extension BlockingMilterConnection {
    /// Runs `body` with a recorder on the transport that moves ``digest`` on (the steps of the
    /// connection itself: OPTNEG, CONNECT, HELO), and keeps what it wrote and read in
    /// ``greetingRecord`` while that is set.
    func digesting<T>(_ tag: ExchangeHashing.Tag, _ detail: Int, _ body: (BlockingMilterConnection) -> T) -> T {
        guard let digest else { return body(self) }
        transport.recorder = ExchangeRecorder(
            after: digest, queueID: [], keepsSegments: greetingRecord?.replayable == true)
        transport.recorder!.begin(tag, detail)
        let value = body(self)
        let recorder = transport.recorder.take()!
        self.digest = recorder.digestible ? recorder.digest() : nil
        if greetingRecord != nil {
            greetingRecord!.segments += recorder.segments
            if !recorder.replayable || !recorder.digestible {
                // Nothing of it will be kept: the next steps keep nothing either.
                greetingRecord!.replayable = false
                greetingRecord!.segments = []
            }
        }
        return value
    }

    /// A transaction with ``memos`` on: from the record of this history and message if there is
    /// one, else through the machine, recorded for the next connection.
    func send(
        _ message: MilterMessage, after digest: ExchangeDigest, memos: ExchangeMemoStore, lookupHash: Int
    ) -> TransactionResult {
        transport.readAvailable()
        guard machine.standsBetweenTransactions, !transport.hasUnreadInput else {
            // Replies nobody asked for, or a connection no longer open: the digest cannot say what follows.
            self.digest = nil
            return runMachine(machine.messageRequested(message)).result
        }
        // Written into the array the last transaction used, handed back when this one is done (a record kept
        // shares it: the next write then copies it).
        var queueID: [UInt8] = []
        swap(&queueID, &spareQueueID)
        machine.writeQueueID(into: &queueID)
        defer { spareQueueID = queueID }
        switch memos.memo(after: digest, for: message, lookupHash: lookupHash) {
        case .found(let memo) where memo.queueIDLength == queueID.count:
            return resend(message, from: memo, queueID: queueID, memos: memos)
        case .found, .missing:
            return sendRecording(message, after: digest, queueID: queueID, into: memos)
        case .off:
            self.digest = nil
            return runMachine(machine.messageRequested(message)).result
        }
    }

    /// Through the machine, recording the exchange; kept in `memos` if it can be sent again.
    private func sendRecording(
        _ message: MilterMessage, after digest: ExchangeDigest, queueID: [UInt8], into memos: ExchangeMemoStore
    ) -> TransactionResult {
        transport.recorder = ExchangeRecorder(
            after: digest, queueID: queueID, keepsSegments: true, maximumBytes: memos.maximumBytes,
            reservingFrom: memos)
        transport.recorder!.begin(.message)
        let countBefore = machine.transactionCount
        let result = runMachine(machine.messageRequested(message)).result
        let recorder = transport.recorder.take()!
        // What the recording reserved goes back when it is not kept, or as it is kept.
        var reservation = recorder.reserved
        defer { memos.release(reservation) }
        guard recorder.digestible else {
            self.digest = nil
            return result
        }
        self.digest = recorder.digest()
        guard recorder.replayable, result.findings.isEmpty, result.resultingMessage == nil,
            machine.standsBetweenTransactions, result.queueID.map({ Array($0.utf8) }) == queueID
        else { return result }
        let awaited = result.steps.indices.filter { result.steps[$0].delivery == .awaited }
        guard awaited.count == recorder.segments.count(where: { !$0.expected.isEmpty }) else { return result }
        // From here on the connection is known by its state, not by its history: connections that
        // sent other messages before and stand in the same state share the records that follow.
        var digestAfter = recorder.digest()
        if let prologueDigest, let state = ExchangeDigest.state(of: &machine, after: prologueDigest) {
            digestAfter = state
            memos.checkDescription(of: machine, for: state)
        }
        self.digest = digestAfter
        let memo = ExchangeMemo(
            message: message, segments: recorder.segments, result: result, awaitedSteps: awaited,
            machineAfter: machine, digestAfter: digestAfter, queueIDLength: queueID.count,
            transactionsCounted: machine.transactionCount - countBefore)
        memos.keep(memo, after: digest, releasing: reservation)
        reservation = 0
        return result
    }

    /// Sends the recorded frames with this transaction's queue ID, comparing each reply with the
    /// one recorded; the first difference hands the message to the machine (``diverge(_:from:queueID:times:last:)``).
    private func resend(
        _ message: MilterMessage, from memo: ExchangeMemo, queueID: [UInt8], memos: ExchangeMemoStore
    ) -> TransactionResult {
        let times: [SegmentTimes]
        switch send(memo.segments, queueID: queueID) {
        case .diverged(let sent, let last):
            memos.noteDivergence()
            return diverge(message, from: memo, queueID: queueID, times: sent, last: last)
        case .alike(let sent): times = sent
        }
        memos.noteReuse()
        let id = String(decoding: queueID, as: UTF8.self)
        machine.adopt(transactionOf: memo)
        digest = memo.digestAfter
        var result = memo.result
        result.queueID = id
        // The record's steps stay shared: a load run reads no step, so none is copied to be timed.
        var durations: [(index: Int, duration: Duration)] = []
        durations.reserveCapacity(memo.awaitedSteps.count)
        var awaited = memo.awaitedSteps.makeIterator()
        for time in times {
            guard let arrival = time.arrival, let index = awaited.next() else { continue }
            durations.append((index, time.write.duration(to: arrival)))
        }
        result.setStepDurations(durations)
        if let first = times.first, let last = times.last(where: { $0.arrival != nil })?.arrival {
            result.duration = first.write.duration(to: last)
        }
        spareTimes = times
        return result
    }

    /// When a recorded segment went, and when the replies that matched the record came: `arrival`
    /// the last of them (`nil` for none), `earlier` those before it (a segment with modifications).
    struct SegmentTimes {
        var write: NIODeadline
        var earlier: [NIODeadline] = []
        var arrival: NIODeadline?
    }

    /// How sending recorded segments went.
    enum SegmentsSent {
        /// Every reply was the one recorded, in time.
        case alike([SegmentTimes])
        /// The segments sent so far, with the replies that matched; `last` is the event that
        /// differed from the record, with when it came. `nil` when nothing differed but the record
        /// cannot be taken: unread input before a write (nothing more was sent), a later reply of a
        /// segment that did not come within the recorded wait, or replies that came too late for
        /// the record's judgement to hold (``ExchangeSegment/within``). The machine then reads on.
        case diverged([SegmentTimes], last: DivergedTransport.Read?)
    }

    /// Sends recorded `segments` with `queueID` patched in, one write each, comparing each reply
    /// with the one recorded, and stops at the first difference. With `readingFirst`, what arrived
    /// is read without waiting before each write, as the machine does before each step of its own
    /// (OPTNEG, CONNECT, HELO, a replayed step); a transaction is one run of the machine, which
    /// reads so only before its first write.
    func send(_ segments: [ExchangeSegment], queueID: [UInt8], readingFirst: Bool = false) -> SegmentsSent {
        // The loop holds the transport, the clock and the spare buffer in one access each: every
        // access to a stored property of this class is a dynamic exclusivity check, and a
        // transaction has a dozen segments, each with a write, a read and two clock readings.
        let now = machine.now
        var spare = spareFrames.take()
        defer { spareFrames = spare }
        // Read through a buffer pointer: an array's subscript copied each segment out (three
        // references retained and released per segment).
        return segments.withUnsafeBufferPointer { segments in
            withTransport { transport in
                transport.stopsAtWait = false
                // The array the last transaction sent from a record handed back (``resend``), if any: no allocation.
                var times: [SegmentTimes] = []
                swap(&times, &spareTimes)
                times.removeAll(keepingCapacity: true)
                times.reserveCapacity(segments.count)
                for position in segments.indices {
                    if readingFirst { transport.readAvailable() }
                    // A reply nobody asked for: the machine finds it before this write, as it would have.
                    if transport.hasUnreadInput { return .diverged(times, last: nil) }
                    var time = SegmentTimes(write: now())
                    // By pointer: a segment read through the buffer after the transport changed was copied whole.
                    let segment = segments.baseAddress! + position
                    Self.enqueue(segment, queueID: queueID, on: &transport, spare: &spare)
                    let expectedCount = segment.pointee.expected.count
                    if expectedCount == 0 { transport.flush() }
                    for index in 0..<expectedCount {
                        let timeout = segment.pointee.expected[index].timeout
                        // Counted from the write, then from the reply before: the wait reads no clock of its own.
                        let event = transport.nextEvent(within: timeout, since: time.arrival ?? time.write)
                        let instant = now()
                        guard case .reply(let reply)? = event, reply == segment.pointee.expected[index].reply else {
                            times.append(time)
                            // A later wait is the recording's, not what the machine would ask now: when it
                            // runs out, the machine waits on with its own.
                            if index > 0, case .timeout? = event { return .diverged(times, last: nil) }
                            return .diverged(times, last: (event ?? .endOfFile, instant))
                        }
                        if let previous = time.arrival { time.earlier.append(previous) }
                        time.arrival = instant
                    }
                    times.append(time)
                    if expectedCount > 1, let arrival = time.arrival, arrival - time.write >= segment.pointee.within {
                        return .diverged(times, last: nil)
                    }
                }
                return .alike(times)
            }
        }
    }

    /// Runs `body` on the transport in one access (see ``send(_:queueID:readingFirst:)``).
    private func withTransport<T>(_ body: (inout BlockingTransport) -> T) -> T { body(&transport) }

    /// What was written and read while `segments` were sent again, for ``DivergedTransport``: each
    /// segment's frames, the replies that matched, then `last`.
    static func replayed(
        _ segments: [ExchangeSegment], queueID: [UInt8], times: [SegmentTimes], last: DivergedTransport.Read?
    ) -> (written: [DivergedTransport.Written], events: [DivergedTransport.Read]) {
        var written: [DivergedTransport.Written] = []
        var events: [DivergedTransport.Read] = []
        for (index, time) in times.enumerated() {
            let segment = segments[index]
            written.append((frames(of: segment, queueID: queueID), time.write))
            for (position, instant) in time.earlier.enumerated() {
                events.append((.reply(segment.expected[position].reply), instant))
            }
            if let arrival = time.arrival {
                events.append((.reply(segment.expected[time.earlier.count].reply), arrival))
            }
        }
        if let last { events.append(last) }
        return (written, events)
    }

    /// Hands a recorded segment to `transport` with `queueID` in place of the recording's: as
    /// recorded if it carries no queue ID, else to be written in pieces around the queue IDs
    /// (nothing copied), or, if the transport cannot take it so, patched in a copy made in `spare`,
    /// the buffer the last write left over (no allocation, and memory still in the cache).
    ///
    /// The segment comes by pointer and only its frames are read out before the transport
    /// changes: a segment passed by value (or read through an array) was copied whole, three
    /// references retained and released, because the transport's change might have reached it.
    private static func enqueue(
        _ segment: UnsafePointer<ExchangeSegment>, queueID: [UInt8], on transport: inout BlockingTransport,
        spare: inout ByteBuffer?
    ) {
        guard !segment.pointee.queueIDRanges.isEmpty else {
            let frames = segment.pointee.frames
            transport.enqueue(recorded: frames)
            return
        }
        if transport.enqueue(
            recorded: segment.pointee.frames, patching: segment.pointee.queueIDRanges, with: queueID)
        {
            return
        }
        var frames = spare.take() ?? ByteBuffer()
        frames.clear()
        frames.writeImmutableBuffer(segment.pointee.frames)
        ExchangeSegment.patch(&frames, at: segment.pointee.queueIDRanges, queueID: queueID)
        spare = transport.enqueue(frames)
    }

    /// A recorded segment's frames with `queueID` in place of the recording's.
    static func frames(of segment: ExchangeSegment, queueID: [UInt8]) -> ByteBuffer {
        var frames = segment.frames
        segment.patch(&frames, queueID: queueID)
        return frames
    }

    /// The machine runs the message from its start: fed what was written and read already, at the
    /// instants it was, then on the socket. `last` is the event that differed from the record, if
    /// any (``SegmentsSent/diverged(_:last:)``). The connection uses no record after this.
    private func diverge(
        _ message: MilterMessage, from memo: ExchangeMemo, queueID: [UInt8], times: [SegmentTimes],
        last: DivergedTransport.Read?
    ) -> TransactionResult {
        catchingUp(memo.segments, queueID: queueID, times: times, last: last) { connection, replaying in
            connection.machine.run(connection.machine.messageRequested(message), on: &replaying).result
        }
    }

    /// Runs `body` with the machine on a ``DivergedTransport`` fed what sending `segments` wrote
    /// and read (``replayed(_:queueID:times:last:)``), its clock reading the instants they were;
    /// then the socket again, and the real clock. The connection uses no record after this.
    func catchingUp<T>(
        _ segments: [ExchangeSegment], queueID: [UInt8], times: [SegmentTimes], last: DivergedTransport.Read?,
        _ body: (BlockingMilterConnection, inout DivergedTransport) -> T
    ) -> T {
        let (written, events) = Self.replayed(segments, queueID: queueID, times: times, last: last)
        let clock = ReplayClock()
        let clockBefore = machine.now
        machine.now = clock.now
        var replaying = DivergedTransport(base: transport, written: written, events: events, clock: clock)
        let value = body(self, &replaying)
        transport = replaying.base
        machine.now = clockBefore
        digest = nil
        return value
    }
}
