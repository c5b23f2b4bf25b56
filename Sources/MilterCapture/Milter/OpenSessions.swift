/// The sessions open at one point of a scan, by stream, with the one of the latest event kept out of the
/// dictionary: consecutive events mostly name the same session, so most events skip the hashing.
struct OpenSessions<Session> {
    /// The session of the latest event, if it is still open.
    var current: Session?
    private var currentStream: StreamID?
    private var parked: [StreamID: Session] = [:]

    /// Opens `session` for `stream` and makes it the current one; returns the session it replaces, if that stream
    /// had one open (a stream that starts again drops what it had).
    mutating func start(_ session: Session, stream: StreamID) -> Session? {
        let replaced: Session?
        if currentStream == stream {
            replaced = current
        } else {
            replaced = parked.removeValue(forKey: stream)
            park()
        }
        current = session
        currentStream = stream
        return replaced
    }

    /// Makes `stream`'s session the current one; false when no session of that stream is open.
    mutating func select(_ stream: StreamID) -> Bool {
        if currentStream == stream { return true }
        guard let session = parked.removeValue(forKey: stream) else { return false }
        park()
        current = session
        currentStream = stream
        return true
    }

    /// Closes `stream`'s session and returns it; nil when none is open.
    mutating func end(_ stream: StreamID) -> Session? {
        guard select(stream) else { return nil }
        defer {
            current = nil
            currentStream = nil
        }
        return current
    }

    private mutating func park() {
        if let stream = currentStream, let session = current { parked[stream] = session }
        current = nil
        currentStream = nil
    }
}

extension CapturedFrame {
    /// The frame, decoded if a scanner with ``MilterExtractionOptions/defersFrameDecoding`` left it undecoded.
    var decodingDeferred: CapturedFrame {
        guard isComplete, case .truncated = decoded else { return self }
        var frame = self
        frame.decoded = CapturedFrame.decode(frame.frame, direction: direction)
        return frame
    }
}
