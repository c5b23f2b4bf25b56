import MilterProtocol
import NIOCore

/// One write of a recorded exchange and the replies that answered it, if any were awaited.
struct ExchangeSegment {
    /// The frames, as written.
    var frames: ByteBuffer
    /// Where the transaction's queue ID stands in ``frames``.
    var queueIDRanges: [Range<Int>]
    /// The replies read after the write, in order (modifications, then the final one), each with
    /// the wait the machine asked for; empty for a write that awaited none.
    var expected: [(reply: MilterReply, timeout: TimeAmount)]
    /// The shortest of those waits. A replay takes the record only if every reply came within it
    /// of the write: then no wait of the machine, however its step deadline stood, would have run
    /// out before a reply did (the first wait is the same in the recording and the replay; the
    /// later ones depend on when the earlier replies came).
    var within: TimeAmount

    /// The bytes it holds, for a store's budget: the frames' buffer capacity (a recorded write's
    /// buffer grew by doubling), and each recorded reply's cost (``MilterClientLimits/cost(of:)``).
    var byteCount: Int {
        expected.reduce(frames.capacity) { $0 + MilterClientLimits.cost(of: $1.reply) }
    }

    /// Writes `queueID` over the recording's in `frames`, a copy of ``frames`` wherever it starts.
    func patch(_ frames: inout ByteBuffer, queueID: [UInt8]) {
        Self.patch(&frames, at: queueIDRanges, queueID: queueID)
    }

    /// Writes `queueID` over `frames` at the start of each of `queueIDRanges`: for a caller that
    /// holds the segment by pointer (calling ``patch(_:queueID:)`` on it copied it whole).
    static func patch(_ frames: inout ByteBuffer, at queueIDRanges: [Range<Int>], queueID: [UInt8]) {
        guard !queueIDRanges.isEmpty else { return }
        // One access to the buffer's bytes for every range: `setBytes` per range checked the
        // buffer's storage (a dynamic exclusivity check and a uniqueness test) each time, and a
        // message's queue ID stands in a dozen places (macro `i` before each header).
        // Copied from pointer to pointer: a rebased slice of the buffer per range cost bounds checks and a
        // slice's arithmetic on every one.
        queueID.withUnsafeBytes { id in
            frames.withUnsafeMutableReadableBytes { bytes in
                for range in queueIDRanges {
                    precondition(range.lowerBound >= 0 && range.lowerBound + id.count <= bytes.count)
                    guard let base = bytes.baseAddress, let source = id.baseAddress else { continue }
                    (base + range.lowerBound).copyMemory(from: source, byteCount: id.count)
                }
            }
        }
    }
}

/// What ``BlockingTransport`` saw during one call of ``BlockingMilterConnection``: it feeds the
/// connection's ``ExchangeDigest`` and, for a transaction, keeps the writes and replies so that
/// an identical transaction can be sent again from them (``ExchangeMemo``).
///
/// What it keeps is bounded while it records, not only when a store takes the record: past
/// ``maximumRepliesPerSegment`` replies to one write (a milter that floods PROGRESS), or past
/// `maximumBytes` of frames and replies (``bytesKept``), or past what it could reserve from its
/// store (``reserved``), it drops what it kept and keeps nothing more, and the exchange cannot be
/// sent again from it. The digest goes on. Its owner gives the reservation back when it ends.
struct ExchangeRecorder {
    /// The most replies kept for one write: far more than a real milter sends (a modification each,
    /// a REPLBODY chunk each: 1,024 chunks of 64 KiB carry a 64 MiB body), and little memory.
    static let maximumRepliesPerSegment = 1024
    /// The most bytes a recording keeps unless told otherwise: the stores' budget.
    static let defaultMaximumBytes = 64 << 20
    /// How much a recording reserves from its store at a time, at least: a transaction's frames
    /// and replies usually fit the first reservation, so the store's lock is seldom taken again.
    static let reservationStep = 64 << 10

    private var hashing: ExchangeHashing
    /// The queue ID of the transaction under way, masked in the digest and located in the writes.
    private let queueID: [UInt8]
    /// Whether the writes and replies are kept: only a transaction's, until a bound is passed.
    private(set) var keepsSegments: Bool
    /// The most bytes kept (``bytesKept``).
    let maximumBytes: Int
    /// What is kept, in bytes: the frames written and each reply's cost (``MilterClientLimits/cost(of:)``).
    private(set) var bytesKept = 0
    /// The store the kept bytes are reserved from, if any.
    private let store: (any RecordingBudget)?
    /// What is reserved from ``store``, in bytes: at least ``bytesKept``. Given back by the owner
    /// (``RecordingBudget/release(_:)``, ``ExchangeMemoStore/keep(_:after:releasing:)``); 0
    /// once the recorder stops keeping, which gives it back itself.
    private(set) var reserved = 0
    private(set) var segments: [ExchangeSegment] = []
    private var pending = ByteBuffer()
    private var pendingRanges: [Range<Int>] = []
    /// Whether the exchange can be sent again from the record: no reply nobody asked for, no
    /// close, every event a reply.
    private(set) var replayable = true
    /// Whether the digest still says everything: false after a reply nobody asked for or an event
    /// that is not a reply (a timeout, a close). Replies alone are judged the same whenever they
    /// come, as long as no wait runs out first: a replay checks that (``ExchangeSegment/within``).
    private(set) var digestible = true
    /// Replies read since the last write.
    private var repliesSinceWrite = 0

    /// A recorder that moves the digest on from `digest` and, with `keepsSegments`, keeps up to
    /// `maximumBytes` of writes and replies, reserving them from `store` if one is given.
    init(
        after digest: ExchangeDigest, queueID: [UInt8], keepsSegments: Bool,
        maximumBytes: Int = Self.defaultMaximumBytes, reservingFrom store: (any RecordingBudget)? = nil
    ) {
        hashing = ExchangeHashing(after: digest)
        self.queueID = queueID
        self.keepsSegments = keepsSegments
        self.maximumBytes = maximumBytes
        self.store = store
    }

    /// Counts `bytes` more kept; past ``maximumBytes``, or past the reservation when the store has
    /// no more to give, stops keeping (``stopKeeping()``). Whether the recorder still keeps.
    private mutating func keep(_ bytes: Int) -> Bool {
        bytesKept += bytes
        if bytesKept > maximumBytes {
            stopKeeping()
        } else if let store, bytesKept > reserved {
            let needed = bytesKept - reserved
            let granted = store.reserve(needed, wanting: min(Self.reservationStep, maximumBytes - reserved))
            if granted == 0 { stopKeeping() } else { reserved += granted }
        }
        return keepsSegments
    }

    /// Drops what was kept and keeps nothing more: the exchange cannot be sent again from the record.
    /// The reservation goes back to the store.
    mutating func stopKeeping() {
        keepsSegments = false
        replayable = false
        segments = []
        pending = ByteBuffer()
        pendingRanges = []
        bytesKept = 0
        store?.release(reserved)
        reserved = 0
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
        guard keepsSegments, keep(frames.readableBytes) else { return }
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
        guard keepsSegments else { return }
        if repliesSinceWrite > Self.maximumRepliesPerSegment {
            stopKeeping()
            return
        }
        guard keep(MilterClientLimits.cost(of: reply)) else { return }
        if repliesSinceWrite > 1, !segments.isEmpty {
            // Another reply to the same write: a modification before the final reply, or the final one.
            segments[segments.count - 1].expected.append((reply, timeout))
            segments[segments.count - 1].within = min(segments[segments.count - 1].within, timeout)
            return
        }
        if pending.readableBytes == 0 {
            // A reply before anything was written.
            replayable = false
            return
        }
        segments.append(
            ExchangeSegment(
                frames: pending, queueIDRanges: pendingRanges, expected: [(reply, timeout)], within: timeout))
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
        segments.append(ExchangeSegment(frames: pending, queueIDRanges: pendingRanges, expected: [], within: .zero))
        pending = ByteBuffer()
        pendingRanges = []
    }

    /// The frames handed to the transport since the last reply that no write has taken yet (steps
    /// that took no reply, held for the next one's write), and no longer recorded.
    mutating func takePending() -> ByteBuffer {
        defer {
            pending = ByteBuffer()
            pendingRanges = []
        }
        return pending
    }

    /// The digest after everything recorded.
    func digest() -> ExchangeDigest { hashing.finalize() }
}
