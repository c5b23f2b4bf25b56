import MilterProtocol

/// An observer of every frame a connection sends and receives, for a transcript
/// (`milter-replay --verbose`) or a test that looks at the wire.
///
/// Set it on ``MilterClientConfiguration/frameTap``. It is called on the connection's event loop,
/// in wire order: each command frame as it is written (a buffer holding several frames, such as a
/// MACRO and its command, gives one call per frame), and each reply frame once it has arrived whole,
/// after the length check and before it is decoded, so a reply the codec refuses is seen too. A
/// reply announcing more than ``MilterClientConfiguration/maximumReplyLength`` is refused before it
/// is buffered and is not seen. Bytes written with ``MilterClientConnection/writeRaw(_:waitingUpTo:)``
/// are split into frames by their length fields; from a length of 0 on, nothing more is reported
/// in that direction.
///
/// The closure runs on the event loop, so it must be quick and must not block. One tap may serve
/// several connections; give each connection its own tap to tell them apart. Without a tap (the
/// default) a connection does no work for it beyond a `nil` check per write and per read.
///
/// ```swift
/// var configuration = MilterClientConfiguration()
/// let frames = NIOLockedValueBox<[MilterFrameTap.Event]>([])
/// configuration.frameTap = MilterFrameTap { event in frames.withLockedValue { $0.append(event) } }
/// ```
public struct MilterFrameTap: Sendable {
    /// Which way a frame went.
    public enum Direction: Hashable, Sendable {
        /// A command, from the MTA (this client) to the milter.
        case toMilter
        /// A reply, from the milter to the MTA.
        case fromMilter
    }

    /// One frame on the wire.
    public struct Event: Sendable {
        /// Which way it went.
        public var direction: Direction
        /// Its command byte and payload.
        public var frame: MilterFrame
        /// When it was written, or when its last byte was read.
        public var time: ContinuousClock.Instant

        /// Creates an event.
        public init(direction: Direction, frame: MilterFrame, time: ContinuousClock.Instant) {
            self.direction = direction
            self.frame = frame
            self.time = time
        }
    }

    /// The observer.
    public let observe: @Sendable (Event) -> Void

    /// A tap calling `observe` with every frame.
    public init(_ observe: @escaping @Sendable (Event) -> Void) {
        self.observe = observe
    }
}
