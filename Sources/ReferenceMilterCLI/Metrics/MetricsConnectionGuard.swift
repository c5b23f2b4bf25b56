import NIOCore

/// The first handler of a metrics connection: it closes the connection ``MetricsEndpoint/Limits/timeout``
/// after it was accepted, whatever the client does meanwhile. A read timeout alone, reset by every byte,
/// let a client trickling its headers or a body one byte every few seconds hold the connection for hours.
/// A client that has not had the start of a response by then gets `408 Request Timeout`; one that is still
/// being answered (it does not read) is closed.
final class MetricsConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Whether the HTTP handlers have written anything: a response has begun.
    private var answered = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = context.loopBound
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.timedOut(context: loopBound.value)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        answered = true
        context.write(data, promise: promise)
    }

    private func timedOut(context: ChannelHandlerContext) {
        deadline = nil
        guard !answered else {
            context.close(promise: nil)
            return
        }
        answered = true
        let seconds = Double(timeout.nanoseconds) / 1e9
        let text = "no complete request within \(seconds == seconds.rounded() ? "\(Int64(seconds))" : "\(seconds)") s\n"
        context.writeAndFlush(
            wrapOutboundOut(
                Self.response(status: "408 Request Timeout", body: text, allocator: context.channel.allocator)),
            promise: nil)
        context.close(promise: nil)
    }

    /// A whole HTTP/1.1 response that closes the connection, written below the HTTP handlers (a refusal or a
    /// timeout comes before any request has been parsed, or in the middle of one).
    static func response(status: String, body: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let bodyBytes = Array(body.utf8)
        let head =
            "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + bodyBytes.count)
        buffer.writeString(head)
        buffer.writeBytes(bodyBytes)
        return buffer
    }
}
