import MilterProtocol
import NIOCore

/// ``BlockingMilterConnection``'s I/O: a blocking socket read and written on the calling thread.
/// The frames of a run leave in one `write` when the machine waits (or before a close, or when the
/// run stops, unless ``holdsFramesBetweenRuns``); a wait is one `recv` with the wait's timeout.
struct BlockingTransport: MilterTransport {
    private var socket: BlockingSocket
    private var socketClosed = false
    private var reader: BlockingReplyReader
    private let outboundTap: OutboundFrameTap?
    /// The write timeout when no wait follows.
    private let commandTimeout: TimeAmount
    /// The frames of a run not written yet; its storage serves every run of the connection.
    private var batch = ByteBuffer()
    /// Recorded frames to be written as they are, before ``batch`` (which is then empty): a
    /// record's buffer is shared with the record, and clearing it after the write, as ``batch`` is
    /// cleared, would allocate a fresh buffer for every write.
    private var recorded: ByteBuffer?
    /// Where ``recorded`` takes ``recordedQueueID`` in place of the recording's queue ID, written
    /// in pieces around it (``BlockingSocket/write(_:patching:with:timeout:)``); empty when
    /// ``recorded`` goes as it is.
    private var recordedQueueIDRanges: [Range<Int>] = []
    private var recordedQueueID: [UInt8] = []
    /// Whether ``nextEvent(within:)`` writes and returns `nil` instead of blocking (QUIT's watch
    /// continues on another thread).
    var stopsAtWait = false
    /// Sees every write, event and stray reply while set (``ExchangeRecorder``).
    var recorder: ExchangeRecorder?
    /// Whether the frames of a run that ends without a wait stay held for the next run, up to
    /// ``heldBytesLimit``: a replayed session is driven one step per run, and its steps that take no
    /// reply then leave with the next one that does, as the steps of a message do within one run.
    var holdsFramesBetweenRuns = false
    /// The most bytes held between runs (``holdsFramesBetweenRuns``); more are written at once.
    static let heldBytesLimit = 256 * 1024

    init(socket: BlockingSocket, configuration: MilterClientConfiguration) {
        self.socket = socket
        reader = BlockingReplyReader(
            limits: MilterFrameLimits(maximumPayloadLength: configuration.maximumReplyLength),
            maximumQueuedBytes: configuration.limits.maximumUnreadReplyBytes, tap: configuration.frameTap)
        outboundTap = configuration.frameTap.map(OutboundFrameTap.init)
        commandTimeout = configuration.effectiveTimeouts.command
    }

    /// Reads what arrived since the last call without waiting, as an event loop would have: a
    /// reply nobody asked for is then found before the next command goes.
    mutating func readAvailable() {
        if !socketClosed { reader.readAvailable(from: socket) }
    }

    mutating func takeStrayReplies() -> [MilterReply] {
        let replies = reader.takeQueuedReplies()
        if !replies.isEmpty, recorder != nil { recorder!.foundStrayReplies() }
        return replies
    }

    /// The first frames of a run become the batch; later ones are copied in. Either way the buffer
    /// left over goes back for the next step to encode into.
    mutating func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer? {
        var frames = frames
        if recorder != nil { recorder!.enqueued(frames) }
        if var earlier = takeRecorded() { batch.writeBuffer(&earlier) }
        if batch.readableBytes == 0 {
            swap(&batch, &frames)
        } else {
            batch.writeBuffer(&frames)
        }
        return frames
    }

    /// Recorded frames (``ExchangeSegment/frames``), written as they are when nothing was
    /// enqueued before them, else copied into the batch.
    mutating func enqueue(recorded frames: ByteBuffer) {
        if recorder != nil { recorder!.enqueued(frames) }
        if recorded == nil, batch.readableBytes == 0 {
            recorded = frames
        } else {
            if var earlier = takeRecorded() { batch.writeBuffer(&earlier) }
            batch.writeImmutableBuffer(frames)
        }
    }

    /// Recorded frames with `queueID` in place of the recording's at the start of each of `ranges`,
    /// to be written in pieces around it, not copied to be patched: taken when nothing was enqueued
    /// before them and neither a recorder nor a tap looks at the frames. Whether they were taken
    /// (if not, the caller enqueues a patched copy).
    mutating func enqueue(recorded frames: ByteBuffer, patching ranges: [Range<Int>], with queueID: [UInt8]) -> Bool {
        guard recorder == nil, outboundTap == nil, recorded == nil, batch.readableBytes == 0 else { return false }
        recorded = frames
        recordedQueueIDRanges = ranges
        recordedQueueID = queueID
        return true
    }

    /// ``recorded``, with its queue ID patched in a copy if it has one, for a batch it joins.
    private mutating func takeRecorded() -> ByteBuffer? {
        guard var frames = recorded.take() else { return nil }
        if !recordedQueueIDRanges.isEmpty {
            ExchangeSegment.patch(&frames, at: recordedQueueIDRanges, queueID: recordedQueueID)
            recordedQueueIDRanges = []
            recordedQueueID = []
        }
        return frames
    }

    mutating func nextEvent(within timeout: TimeAmount) -> InboxEvent? {
        nextEvent(within: timeout, since: nil)
    }

    /// ``nextEvent(within:)`` with the wait counted from `start`, an instant the caller read
    /// just before (a write's, a reply's arrival), so that the wait reads no clock of its own
    /// unless the write had to wait for room.
    mutating func nextEvent(within timeout: TimeAmount, since start: NIODeadline?) -> InboxEvent? {
        let event = readEvent(within: timeout, since: start)
        if recorder != nil { recorder!.received(event, timeout: timeout) }
        return event
    }

    private mutating func readEvent(within timeout: TimeAmount, since start: NIODeadline?) -> InboxEvent? {
        if let event = reader.poll() { return event }
        let waited = write(timeout: timeout)
        if stopsAtWait { return nil }
        return reader.next(from: &socket, timeout: timeout, since: waited ? nil : start)
    }

    /// Whether frames of an earlier run wait to be written (``holdsFramesBetweenRuns``).
    var holdsFrames: Bool { batch.readableBytes > 0 || recorded != nil }

    /// Whether anything was read that nobody took yet: replies, part of one, or the end of the stream.
    var hasUnreadInput: Bool { reader.hasUnreadInput }

    mutating func close() {
        if recorder != nil { recorder!.closed() }
        write()
        closeSocket()
    }

    mutating func flush() {
        if holdsFramesBetweenRuns, batch.readableBytes + (recorded?.readableBytes ?? 0) < Self.heldBytesLimit { return }
        if recorder != nil { recorder!.flushed() }
        write()
    }

    /// Writes the frames of the run, shown to the tap first, within `timeout` (the wait that
    /// follows, or else the command timeout); a failed write ends the reply stream with the error.
    /// Returns whether the write had to wait for room (the clock moved on).
    @discardableResult
    private mutating func write(timeout: TimeAmount? = nil) -> Bool {
        if let frames = recorded.take() {
            // Enqueued alone: the batch is empty (an enqueue after it copies both in).
            guard !recordedQueueIDRanges.isEmpty else { return write(frames, timeout: timeout) }
            defer {
                recordedQueueIDRanges = []
                recordedQueueID = []
            }
            return write(frames, patching: recordedQueueIDRanges, with: recordedQueueID, timeout: timeout)
        }
        guard batch.readableBytes > 0 else { return false }
        defer { batch.clear() }
        return write(batch, timeout: timeout)
    }

    private mutating func write(_ frames: ByteBuffer, timeout: TimeAmount?) -> Bool {
        if let outboundTap { outboundTap.observe(frames) }
        guard !socketClosed, !reader.ended else { return false }
        let outcome = socket.write(frames, timeout: timeout ?? commandTimeout)
        if let failure = outcome.failure { reader.fail(failure) }
        return outcome.waited
    }

    /// ``write(_:timeout:)`` of `frames` with `queueID` at the start of each of `ranges`, in pieces
    /// (no tap is set: ``enqueue(recorded:patching:with:)``).
    private mutating func write(
        _ frames: ByteBuffer, patching ranges: [Range<Int>], with queueID: [UInt8], timeout: TimeAmount?
    ) -> Bool {
        guard !socketClosed, !reader.ended else { return false }
        let outcome = socket.write(frames, patching: ranges, with: queueID, timeout: timeout ?? commandTimeout)
        if let failure = outcome.failure { reader.fail(failure) }
        return outcome.waited
    }

    mutating func closeSocket() {
        guard !socketClosed else { return }
        // Frames held between runs (a replayed session ended without QUIT or a close) still go.
        write()
        socketClosed = true
        socket.close()
    }
}
