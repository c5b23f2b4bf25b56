import MilterProtocol
import NIOCore

/// What a milter did after bytes written past every check (``MilterClientConnection/writeRaw(_:waitingUpTo:)``).
public enum RawWriteOutcome: Hashable, Sendable, CustomStringConvertible {
    /// It closed the connection without sending anything.
    case closed
    /// It answered with a well-formed reply frame.
    case answered(MilterReply)
    /// It sent bytes that are no well-formed reply frame.
    case answeredMalformed(MilterProtocolError)
    /// It neither answered nor closed within the wait.
    case silent(TimeAmount)
    /// The socket failed.
    case ioError(String)
    /// It sent more than the client keeps (``MilterClientLimits``), such as endless unread replies.
    case overLimit(Finding.ResourceLimit)

    /// The outcome in words, free of personal data.
    public var description: String {
        switch self {
        case .closed: "the milter closed the connection without answering"
        case .answered(let reply): "the milter answered with \(reply.id)"
        case .answeredMalformed(let error): "the milter answered with a malformed frame: \(error)"
        case .silent(let amount): "the milter neither answered nor closed within \(amount.nanoseconds / 1_000_000) ms"
        case .ioError(let text): "I/O error: \(text)"
        case .overLimit(let limit): "the milter went past the client's limit: \(limit)"
        }
    }
}

extension MilterClientConnection {
    /// Writes `bytes` as they are, past the protocol checks (a bad frame, a lie about a length), and
    /// waits up to `timeout` for the milter's first reaction. Replies already waiting from earlier
    /// steps count as an answer. After this the conversation follows no rule: only another raw
    /// write, ``listenForStrayReplies(for:)``, ``quit()`` or ``closeWithoutQuit()`` make sense.
    public func writeRaw(_ bytes: [UInt8], waitingUpTo timeout: TimeAmount) async -> RawWriteOutcome {
        if let stray = channel.takeStrayReplies().first { return .answered(stray) }
        channel.write(channel.channel.allocator.buffer(bytes: bytes))
        let channel = self.channel
        let event = await withUnsafeContinuation { channel.wait(timeout: timeout, continuation: $0) }
        switch event {
        case .reply(let reply): return .answered(reply)
        case .protocolError(let error): return .answeredMalformed(error)
        case .timeout(let amount): return .silent(amount)
        case .endOfFile: return .closed
        case .ioError(let text): return .ioError(text)
        case .overLimit(let limit): return .overLimit(limit)
        }
    }
}
