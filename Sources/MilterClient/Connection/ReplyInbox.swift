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
}

/// Collects the replies a milter sends and hands them out one at a time, with a timeout per wait.
///
/// Replies that arrive while nobody waits are kept in order, so a reply nobody asked for (a second
/// reply, a reply to ABORT) is still seen by the next reader. After EOF or an error no more
/// replies are delivered: the terminal event repeats for every later read.
///
/// The inbox decodes the frames itself (no separate `ByteToMessageHandler`): a reply goes from the
/// socket's bytes to the waiting step without a trip through the pipeline. Frame lengths are
/// checked against the limit before a payload is buffered.
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
    private var terminal: InboxEvent?
    private var waiter: Waiter?
    private var timer: (task: Scheduled<Void>, deadline: NIODeadline)?
    private var decoder: MilterReplyDecoder
    /// Bytes of a frame not complete yet.
    private var unfinished: ByteBuffer?
    /// Where ``Reader/handler`` waits get their event.
    var handler: ((InboxEvent) -> Void)?

    /// Creates an inbox whose decoder refuses replies over `limits` before buffering them.
    init(limits: MilterFrameLimits) { decoder = MilterReplyDecoder(limits: limits) }

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
            while let reply = try decoder.decode(buffer: &bytes) { queue.append(.reply(reply)) }
        } catch {
            terminal = .protocolError(error)
            stopTimer()
            context.close(promise: nil)
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
                while let reply = try decoder.decodeLast(buffer: &rest, seenEOF: true) { queue.append(.reply(reply)) }
            } catch {
                finish(.protocolError(error))
            }
        }
        finish(.endOfFile)
        context.fireChannelInactive()
    }

    /// The next event if one is waiting (or the connection has ended). Call on the event loop.
    func poll() -> InboxEvent? {
        queue.popFirst() ?? terminal
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
