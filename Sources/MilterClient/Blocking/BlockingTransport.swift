import MilterProtocol
import NIOCore

/// ``BlockingMilterConnection``'s I/O: a blocking socket read and written on the calling thread.
/// The frames of a run leave in one `write` when the machine waits (or before a close, or when the
/// run stops); a wait is one `recv` with the wait's timeout.
struct BlockingTransport: MilterTransport {
    private var socket: BlockingSocket
    private var socketClosed = false
    private var reader: BlockingReplyReader
    private let outboundTap: OutboundFrameTap?
    /// The write timeout when no wait follows.
    private let commandTimeout: TimeAmount
    /// The frames of a run not written yet; its storage serves every run of the connection.
    private var batch = ByteBuffer()
    /// Whether ``nextEvent(within:)`` writes and returns `nil` instead of blocking (QUIT's watch
    /// continues on another thread).
    var stopsAtWait = false

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

    mutating func takeStrayReplies() -> [MilterReply] { reader.takeQueuedReplies() }

    /// The first frames of a run become the batch; later ones are copied in. Either way the buffer
    /// left over goes back for the next step to encode into.
    mutating func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer? {
        var frames = frames
        if batch.readableBytes == 0 {
            swap(&batch, &frames)
        } else {
            batch.writeBuffer(&frames)
        }
        return frames
    }

    mutating func nextEvent(within timeout: TimeAmount) -> InboxEvent? {
        if let event = reader.poll() { return event }
        write(timeout: timeout)
        if stopsAtWait { return nil }
        return reader.next(from: &socket, timeout: timeout)
    }

    mutating func close() {
        write()
        closeSocket()
    }

    mutating func flush() { write() }

    /// Writes the frames of the run, shown to the tap first, within `timeout` (the wait that
    /// follows, or else the command timeout); a failed write ends the reply stream with the error.
    private mutating func write(timeout: TimeAmount? = nil) {
        guard batch.readableBytes > 0 else { return }
        defer { batch.clear() }
        if let outboundTap { outboundTap.observe(batch) }
        guard !socketClosed, !reader.ended else { return }
        if let failure = socket.write(batch, timeout: timeout ?? commandTimeout) { reader.fail(failure) }
    }

    mutating func closeSocket() {
        guard !socketClosed else { return }
        socketClosed = true
        socket.close()
    }
}
