import MilterProtocol
import NIOCore

/// What the connection to a milter produced next.
package enum InboxEvent: Sendable {
    /// A reply frame.
    case reply(MilterReply)
    /// The reply stream broke a framing or payload rule; nothing after it can be trusted.
    case protocolError(MilterProtocolError)
    /// No frame arrived within the timeout.
    case timeout(TimeAmount)
    /// The milter closed the connection.
    case endOfFile
    /// The socket failed.
    case ioError(String)
    /// Replies nobody read piled up past ``MilterClientLimits/maximumUnreadReplyBytes``; the
    /// connection is closed.
    case overLimit(Finding.ResourceLimit)
}

/// Collects the replies a milter sends and hands them out one at a time, with a timeout per wait.
///
/// Replies that arrive while nobody waits are kept in order, so a reply nobody asked for (a second
/// reply, a reply to ABORT) is still seen by the next reader. After EOF or an error no more
/// replies are delivered: the terminal event repeats for every later read. Past the unread-reply
/// limit nothing more is read and the socket closes, but the replies kept stay queued before the
/// limit's event: a flood is then judged by its first replies, as `BlockingReplyReader` judges it,
/// however much of it either had read when the next command was due.
///
/// The inbox decodes the frames itself (no separate `ByteToMessageHandler`): a reply goes from the
/// socket's bytes to the waiting step without a trip through the pipeline. Frame lengths are
/// checked against the limit before a payload is buffered. A ``MilterFrameTap``, if given, sees
/// each whole frame before it is decoded.
///
/// Timeouts use one timer per connection, not one per wait: a wait only records its deadline, and
/// the timer, when it fires, either times the current wait out or re-arms itself for that wait's
/// deadline. A milter that answers within the timeout (the usual case) costs no timer work at all.
final class ReplyInbox: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// How a waiting reader is handed its event.
    private enum Reader {
        /// An `await` (``MilterClientConnection/drive(_:)``).
        case continuation(UnsafeContinuation<InboxEvent, Never>)
        /// The installed event handler, called on the event loop (a message sent step after step
        /// without suspending, ``MilterClientConnection/send(_:)``).
        case handler
    }

    private struct Waiter {
        let reader: Reader
        let deadline: NIODeadline
        let timeout: TimeAmount
    }

    private var queue = CircularBuffer<InboxEvent>()
    /// What the queued replies cost (``MilterClientLimits/cost(of:)``), and the most they may.
    private var queuedBytes = 0
    private let maximumQueuedBytes: Int
    private var terminal: InboxEvent?
    private var waiter: Waiter?
    private var timer: (task: Scheduled<Void>, deadline: NIODeadline)?
    private var frames: MilterFrameDecoder
    private let tap: MilterFrameTap?
    /// Bytes of a frame not complete yet.
    private var unfinished: ByteBuffer?
    /// Where ``Reader/handler`` waits get their event.
    var handler: ((InboxEvent) -> Void)?

    /// Creates an inbox whose decoder refuses replies over `limits` before buffering them, and
    /// which ends the connection when replies nobody read cost more than `maximumQueuedBytes`;
    /// `tap` sees every whole reply frame.
    init(limits: MilterFrameLimits, maximumQueuedBytes: Int, tap: MilterFrameTap? = nil) {
        frames = MilterFrameDecoder(limits: limits)
        self.tap = tap
        // One reply of the largest length accepted always fits.
        self.maximumQueuedBytes = max(
            maximumQueuedBytes, limits.maximumPayloadLength + MilterClientLimits.replyOverhead)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard terminal == nil else { return }
        var bytes = unwrapInboundIn(data)
        if var earlier = unfinished {
            unfinished = nil
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        // Every reply of this read is queued before the first is handed out: a reader that
        // sends its next command at once must still find a second reply as a stray one.
        do {
            while let reply = try nextReply(&bytes, atEnd: false) {
                guard enqueue(reply) else {
                    // Nothing more is read. The replies queued stay: the next command finds them as
                    // stray replies, as it would have after a shorter flood, and only then the limit.
                    end(.overLimit(.unreadReplyBytes(maximumQueuedBytes)), context: context)
                    break
                }
            }
        } catch {
            end(.protocolError(error), context: context)
        }
        if terminal == nil, bytes.readableBytes > 0 { unfinished = bytes }
        handOut()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.ioError(String(describing: error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if var rest = unfinished, terminal == nil {
            unfinished = nil
            do {
                while let reply = try nextReply(&rest, atEnd: true) { _ = enqueue(reply) }
            } catch {
                finish(.protocolError(error))
            }
        }
        finish(.endOfFile)
        context.fireChannelInactive()
    }

    /// The next event if one is waiting (or the connection has ended). Call on the event loop.
    func poll() -> InboxEvent? {
        guard let event = queue.popFirst() else { return terminal }
        if case .reply(let reply) = event { queuedBytes -= MilterClientLimits.cost(of: reply) }
        return event
    }

    /// The next whole reply in `bytes`, shown to the tap before it is decoded; at the end of the
    /// stream, leftover bytes are a truncated frame.
    private func nextReply(_ bytes: inout ByteBuffer, atEnd: Bool) throws(MilterProtocolError) -> MilterReply? {
        let offset = frames.streamOffset
        let next = atEnd ? try frames.decodeLast(buffer: &bytes, seenEOF: true) : try frames.decode(buffer: &bytes)
        guard let frame = next else { return nil }
        if let tap { tap.observe(MilterFrameTap.Event(direction: .fromMilter, frame: frame, time: .now)) }
        do { return try MilterReply(frame: frame) } catch { throw error.at(offset: offset) }
    }

    /// Queues a reply unless the queue would cost more than allowed.
    private func enqueue(_ reply: MilterReply) -> Bool {
        let cost = MilterClientLimits.cost(of: reply)
        guard queuedBytes + cost <= maximumQueuedBytes else { return false }
        queuedBytes += cost
        queue.append(.reply(reply))
        return true
    }

    /// Ends the stream with `event` after what is queued, and closes the socket.
    private func end(_ event: InboxEvent, context: ChannelHandlerContext) {
        terminal = event
        stopTimer()
        context.close(promise: nil)
    }

    /// Resumes `continuation` with the next event, or with a timeout after `timeout` without a
    /// frame. Call on the event loop, after ``poll()`` returned `nil`.
    func wait(on eventLoop: any EventLoop, timeout: TimeAmount, continuation: UnsafeContinuation<InboxEvent, Never>) {
        wait(on: eventLoop, timeout: timeout, reader: .continuation(continuation))
    }

    /// Calls ``handler`` with the next event, or with a timeout after `timeout` without a frame.
    /// Call on the event loop, after ``poll()`` returned `nil`.
    func waitForHandler(on eventLoop: any EventLoop, timeout: TimeAmount) {
        wait(on: eventLoop, timeout: timeout, reader: .handler)
    }

    /// Removes and returns the replies that arrived while nobody waited. Call on the event loop.
    func takeQueuedReplies() -> [MilterReply] {
        var replies: [MilterReply] = []
        while case .reply(let reply)? = queue.first {
            replies.append(reply)
            queue.removeFirst()
            queuedBytes -= MilterClientLimits.cost(of: reply)
        }
        return replies
    }

    private func wait(on eventLoop: any EventLoop, timeout: TimeAmount, reader: Reader) {
        precondition(waiter == nil, "one reader at a time")
        let deadline = eventLoop.now + timeout
        waiter = Waiter(reader: reader, deadline: deadline, timeout: timeout)
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        arm(on: eventLoop, at: deadline)
    }

    private func arm(on eventLoop: any EventLoop, at deadline: NIODeadline) {
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.timer = nil
            guard let waiter else { return }
            if eventLoop.now >= waiter.deadline {
                self.waiter = nil
                hand(.timeout(waiter.timeout), to: waiter.reader)
            } else {
                arm(on: eventLoop, at: waiter.deadline)
            }
        }
        timer = (task, deadline)
    }

    /// Gives the waiting reader, if any, the next queued event (or the terminal one).
    private func handOut() {
        guard let waiter, let event = poll() else { return }
        self.waiter = nil
        hand(event, to: waiter.reader)
    }

    private func hand(_ event: InboxEvent, to reader: Reader) {
        switch reader {
        case .continuation(let continuation): continuation.resume(returning: event)
        case .handler: handler?(event)
        }
    }

    private func finish(_ event: InboxEvent) {
        guard terminal == nil else { return }
        terminal = event
        stopTimer()
        handOut()
    }

    private func stopTimer() {
        timer?.task.cancel()
        timer = nil
    }
}
