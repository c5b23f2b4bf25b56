import MilterProtocol
import NIOCore

/// Whether bytes have the shape of milter frames, for a stream the capture joins mid-stream (no OPTNEG).
enum MilterFrameShape {
    /// The longest frame taken as plausible: a BODY chunk of libmilter's largest MDS, with its command byte.
    static let maximumLength: UInt32 = 1024 * 1024 + 1

    /// True when `bytes` start at a frame boundary with one or more frames of a plausible length whose command
    /// bytes are milter commands or replies, up to the end of the bytes or the first frame cut short.
    static func looksLikeFrames(_ bytes: ByteBuffer) -> Bool {
        var index = bytes.readerIndex
        var frames = 0
        while let length = bytes.getInteger(at: index, as: UInt32.self),
            let command = bytes.getInteger(at: index + 4, as: UInt8.self)
        {
            guard (1...maximumLength).contains(length),
                MilterCommand.ID(rawValue: command) != nil || MilterReply.ID(rawValue: command) != nil
            else { return false }
            frames += 1
            index += 4 + Int(length)
        }
        return frames > 0
    }
}
