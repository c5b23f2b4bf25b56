import MilterProtocol
import NIOCore

/// Splits the bytes a connection writes into frames for its ``MilterFrameTap``. The client writes
/// whole frames, often several in one buffer (a MACRO and its command); a raw write may end inside
/// a frame, whose start is kept for the next write. Used on the connection's event loop only.
final class OutboundFrameTap {
    private let tap: MilterFrameTap
    /// No limit: these are the client's own bytes, already in memory.
    private var frames = MilterFrameDecoder(limits: MilterFrameLimits(maximumPayloadLength: Int(UInt32.max)))
    /// Bytes of a frame not complete yet.
    private var unfinished: ByteBuffer?
    /// Whether a length of 0 was written: nothing after it can be split.
    private var stopped = false

    init(_ tap: MilterFrameTap) { self.tap = tap }

    /// Reports each whole frame of `bytes`, written now.
    func observe(_ bytes: ByteBuffer) {
        guard !stopped else { return }
        var bytes = bytes
        if var earlier = unfinished {
            unfinished = nil
            earlier.writeImmutableBuffer(bytes)
            bytes = earlier
        }
        let now = ContinuousClock.now
        do {
            while let frame = try frames.decode(buffer: &bytes) {
                tap.observe(MilterFrameTap.Event(direction: .toMilter, frame: frame, time: now))
            }
        } catch {
            stopped = true
            return
        }
        if bytes.readableBytes > 0 { unfinished = bytes }
    }
}
