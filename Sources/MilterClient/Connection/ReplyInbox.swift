import MilterProtocol
import NIOCore

/// What the connection to a milter produced next.
enum InboxEvent: Sendable {
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
final class ReplyInbox: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = MilterReply

    private var queue = CircularBuffer<InboxEvent>()
    private var terminal: InboxEvent?
    private var waiter: (deliver: (InboxEvent) -> Void, timer: Scheduled<Void>)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(.reply(unwrapInboundIn(data)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? MilterProtocolError {
            finish(.protocolError(error))
        } else if let error = error as? ByteToMessageDecoderError {
            finish(.ioError("decoder: \(error)"))
        } else {
            finish(.ioError(String(describing: error)))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.endOfFile)
        context.fireChannelInactive()
    }

    /// The next event if one is waiting (or the connection has ended). Call on the event loop.
    func poll() -> InboxEvent? {
        queue.popFirst() ?? terminal
    }

    /// Calls `deliver` with the next event, or with a timeout after `timeout` without a frame.
    /// Call on the event loop, after ``poll()`` returned `nil`.
    func wait(on eventLoop: any EventLoop, timeout: TimeAmount, deliver: @escaping (InboxEvent) -> Void) {
        precondition(waiter == nil, "one reader at a time")
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard let waiter else { return }
            self.waiter = nil
            waiter.deliver(.timeout(timeout))
        }
        waiter = (deliver, timer)
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

    private func deliver(_ event: InboxEvent) {
        if let waiter {
            self.waiter = nil
            waiter.timer.cancel()
            waiter.deliver(event)
        } else {
            queue.append(event)
        }
    }

    private func finish(_ event: InboxEvent) {
        guard terminal == nil else { return }
        terminal = event
        if let waiter {
            self.waiter = nil
            waiter.timer.cancel()
            waiter.deliver(event)
        }
    }
}
