import MilterProtocol
import NIOCore

/// The replies of a ``BlockingSocket``, cut into frames and handed out one at a time: what
/// `ReplyInbox` does for a NIO channel, with the same rules. Frame lengths are checked before a
/// payload is buffered; replies read while nobody asked for them wait in order (the next command
/// finds them as stray replies); unread replies may cost at most a bound; after EOF, an error or a
/// broken frame the terminal event repeats; the tap sees each whole reply frame before it is decoded.
struct BlockingReplyReader {
    private var queue = CircularBuffer<MilterReply>()
    /// What the queued replies cost (``MilterClientLimits/cost(of:)``), and the most they may.
    private var queuedBytes = 0
    private let maximumQueuedBytes: Int
    private var terminal: InboxEvent?
    private var frames: MilterFrameDecoder
    private let tap: MilterFrameTap?
    /// Bytes read and not yet cut into frames.
    private var bytes = ReceiveBuffer()

    /// A reader refusing replies over `limits` before buffering them, ending the connection when
    /// replies nobody read cost more than `maximumQueuedBytes`; `tap` sees every whole reply frame.
    init(limits: MilterFrameLimits, maximumQueuedBytes: Int, tap: MilterFrameTap?) {
        frames = MilterFrameDecoder(limits: limits)
        self.tap = tap
        // One reply of the largest length accepted always fits, as in ReplyInbox.
        self.maximumQueuedBytes = max(
            maximumQueuedBytes, limits.maximumPayloadLength + MilterClientLimits.replyOverhead)
    }

    /// Whether the stream has ended (EOF, an error, a broken frame).
    var ended: Bool { terminal != nil }

    /// The next event if one is there already (or the stream has ended). A reply read but not
    /// cut yet is cut now, and only that one: a reply handed to the step waiting for it never
    /// counts as unread.
    mutating func poll() -> InboxEvent? {
        if queue.isEmpty { cutFrames(stoppingAtFirst: true) }
        guard let reply = queue.popFirst() else { return terminal }
        queuedBytes -= MilterClientLimits.cost(of: reply)
        return .reply(reply)
    }

    /// Removes and returns the replies read while nobody waited (all of them cut first).
    mutating func takeQueuedReplies() -> [MilterReply] {
        cutFrames(stoppingAtFirst: false)
        guard !queue.isEmpty else { return [] }
        let replies = Array(queue)
        queue.removeAll(keepingCapacity: true)
        queuedBytes = 0
        return replies
    }

    /// Whether anything was read that nobody took yet: replies, part of one, or the end of the stream.
    var hasUnreadInput: Bool { !queue.isEmpty || bytes.readableBytes > 0 || terminal != nil }

    /// The next event, waiting at most `timeout` for it on `socket`, counted from `start` (an
    /// instant the caller read just before: the write's), else from now.
    mutating func next(from socket: inout BlockingSocket, timeout: TimeAmount, since start: NIODeadline?) -> InboxEvent
    {
        if let event = poll() { return event }
        let deadline = (start ?? .now()) + timeout
        // The first wait is the whole timeout (the clock was just read); later ones what is left.
        var left = timeout
        while true {
            switch socket.read(into: &bytes, timeout: left, deadline: deadline) {
            case .bytes: break
            case .timeout: return .timeout(timeout)
            case .endOfFile: finishAtEnd()
            case .failure(let text): terminal = .ioError(text)
            }
            if let event = poll() { return event }
            left = deadline - .now()
        }
    }

    /// Reads and cuts whatever the socket holds now, without waiting: what an event loop would
    /// have read while the caller was away.
    mutating func readAvailable(from socket: BlockingSocket) {
        while terminal == nil {
            switch socket.readNow(into: &bytes) {
            case .bytes: cutFrames(stoppingAtFirst: false)
            case .timeout: return
            case .endOfFile: finishAtEnd()
            case .failure(let text): terminal = .ioError(text)
            }
        }
    }

    /// Ends the stream with an I/O error (a failed write), unless it has ended already.
    mutating func fail(_ text: String) {
        if terminal == nil { terminal = .ioError(text) }
    }

    /// Cuts and queues the whole replies read, or only the first of them. The rest are cut before
    /// the next command goes (``takeQueuedReplies()``), so a second reply in the same read is still
    /// seen as a stray one.
    private mutating func cutFrames(stoppingAtFirst: Bool) {
        guard bytes.readableBytes > 0 else { return }
        do {
            while let reply = try nextReply(atEnd: false) {
                let cost = MilterClientLimits.cost(of: reply)
                guard queuedBytes + cost <= maximumQueuedBytes else {
                    // Nothing more is cut. The replies queued stay: the next command finds them as
                    // stray replies, as an event loop that read less of the flood would, and only
                    // then the limit.
                    terminal = .overLimit(.unreadReplyBytes(maximumQueuedBytes))
                    break
                }
                queuedBytes += cost
                queue.append(reply)
                if stoppingAtFirst { break }
            }
        } catch {
            terminal = .protocolError(error)
        }
    }

    /// At EOF: the bytes left are a last frame or a truncated one, then the end itself.
    private mutating func finishAtEnd() {
        guard terminal == nil else { return }
        do {
            while let reply = try nextReply(atEnd: true) {
                queuedBytes += MilterClientLimits.cost(of: reply)
                queue.append(reply)
            }
        } catch {
            terminal = .protocolError(error)
            return
        }
        terminal = .endOfFile
    }

    /// The next whole reply read, shown to the tap before it is decoded; at the end of the
    /// stream, leftover bytes are a truncated frame. The payload is copied out of the bytes read
    /// (none for the empty payload of a verdict, `continue` or `accept`), which are then consumed.
    private mutating func nextReply(atEnd: Bool) throws(MilterProtocolError) -> MilterReply? {
        guard terminal == nil else { return nil }
        let offset = frames.streamOffset
        // The bytes are read through a pointer, and only the frame's are consumed after: nothing
        // changes the buffer meanwhile.
        let raw = bytes.readable
        let next = atEnd ? try frames.decodeLastFrame(in: raw) : try frames.decodeFrame(in: raw)
        guard let next else { return nil }
        if next.payload.isEmpty, tap == nil, let reply = EmptyPayloadReplies.table[Int(next.command)] {
            bytes.moveReaderIndex(forwardBy: next.payload.upperBound)
            return reply
        }
        let payload =
            next.payload.isEmpty ? ByteBuffer() : ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: raw[next.payload]))
        bytes.moveReaderIndex(forwardBy: next.payload.upperBound)
        let frame = MilterFrame(command: next.command, payload: payload)
        if let tap { tap.observe(MilterFrameTap.Event(direction: .fromMilter, frame: frame, time: .now)) }
        do { return try MilterReply(frame: frame) } catch { throw error.at(offset: offset) }
    }
}
