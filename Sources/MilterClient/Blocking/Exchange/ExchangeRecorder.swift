import MilterProtocol
import NIOCore

/// One write of a recorded exchange and the reply that answered it, if one was awaited.
struct ExchangeSegment {
    /// The frames, as written.
    var frames: ByteBuffer
    /// Where the transaction's queue ID stands in ``frames``.
    var queueIDRanges: [Range<Int>]
    /// The reply awaited after the write, and the wait the machine asked for.
    var expected: (reply: MilterReply, timeout: TimeAmount)?
}

/// What ``BlockingTransport`` saw during one call of ``BlockingMilterConnection``: it feeds the
/// connection's ``ExchangeDigest`` and, for a transaction, keeps the writes and replies so that
/// an identical transaction can be sent again from them (``ExchangeMemo``).
struct ExchangeRecorder {
    private var hashing: ExchangeHashing
    /// The queue ID of the transaction under way, masked in the digest and located in the writes.
    private let queueID: [UInt8]
    /// Whether the writes and replies are kept; only a transaction's are.
    private let keepsSegments: Bool
    private(set) var segments: [ExchangeSegment] = []
    private var pending = ByteBuffer()
    private var pendingRanges: [Range<Int>] = []
    /// Whether the exchange can be sent again from the record: no reply nobody asked for, no
    /// close, every event a reply, at most one reply per wait.
    private(set) var replayable = true
    /// Whether the digest still says everything: false after a reply nobody asked for, an event
    /// that is not a reply, or a second reply to one write (PROGRESS, modifications): what the
    /// machine makes of those may hang on their timing (a step's deadline), which is not in the digest.
    private(set) var digestible = true
    /// Replies read since the last write.
    private var repliesSinceWrite = 0

    init(after digest: ExchangeDigest, queueID: [UInt8], keepsSegments: Bool) {
        hashing = ExchangeHashing(after: digest)
        self.queueID = queueID
        self.keepsSegments = keepsSegments
    }

    /// Marks the start of a caller's call (a step, a message), so that calls are told apart.
    mutating func begin(_ tag: ExchangeHashing.Tag, _ detail: Int = 0) {
        hashing.combine(tag)
        hashing.combine(detail)
    }

    /// Frames handed to the transport.
    mutating func enqueued(_ frames: ByteBuffer) {
        repliesSinceWrite = 0
        let ranges = QueueIDRanges.find(queueID, in: frames)
        hashing.combine(written: frames, masked: ranges)
        guard keepsSegments else { return }
        let offset = pending.readableBytes
        pendingRanges += ranges.map { ($0.lowerBound + offset)..<($0.upperBound + offset) }
        pending.writeImmutableBuffer(frames)
    }

    /// The event handed to the machine after a wait of `timeout`.
    mutating func received(_ event: InboxEvent?, timeout: TimeAmount) {
        guard case .reply(let reply)? = event else {
            replayable = false
            digestible = false
            return
        }
        hashing.combine(ExchangeHashing.Tag.reply)
        hashing.combine(reply)
        repliesSinceWrite += 1
        if repliesSinceWrite > 1 {
            replayable = false
            digestible = false
            return
        }
        guard keepsSegments else { return }
        if pending.readableBytes == 0 {
            // A reply before anything was written.
            replayable = false
            return
        }
        segments.append(ExchangeSegment(frames: pending, queueIDRanges: pendingRanges, expected: (reply, timeout)))
        pending = ByteBuffer()
        pendingRanges = []
    }

    /// Replies nobody asked for were found before a write.
    mutating func foundStrayReplies() {
        replayable = false
        digestible = false
    }

    /// The transport closed the socket.
    mutating func closed() { replayable = false }

    /// The frames written without a reply to wait for (the ABORT that ends a transaction).
    mutating func flushed() {
        guard keepsSegments, pending.readableBytes > 0 else { return }
        segments.append(ExchangeSegment(frames: pending, queueIDRanges: pendingRanges, expected: nil))
        pending = ByteBuffer()
        pendingRanges = []
    }

    /// The digest after everything recorded.
    func digest() -> ExchangeDigest { hashing.finalize() }
}
