import MilterProtocol
import NIOCore

/// ``MilterClientConnection``'s I/O for one run of the machine, on the channel's event loop: the
/// frames of the run are gathered and written in one buffer when the run stops (or before a close);
/// an event is taken only if it already came, since the event loop must not block.
struct ChannelTransport: MilterTransport {
    let channel: MilterChannel
    /// The frames of the run not written yet.
    private var unsent: ByteBuffer?

    init(channel: MilterChannel) { self.channel = channel }

    func takeStrayReplies() -> [MilterReply] { channel.takeStrayReplies() }

    mutating func enqueue(_ frames: consuming ByteBuffer) -> ByteBuffer? {
        guard unsent != nil else {
            unsent = frames
            return nil
        }
        var frames = frames
        unsent!.writeBuffer(&frames)
        return nil
    }

    func nextEvent(within timeout: TimeAmount) -> InboxEvent? { channel.poll() }

    mutating func close() {
        flush()
        channel.close()
    }

    mutating func flush() {
        guard let bytes = unsent.take() else { return }
        channel.write(bytes)
    }
}
