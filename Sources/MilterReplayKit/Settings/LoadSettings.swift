/// How much a run sends, and how fast: the load options of `milter-replay`, as plain values.
public struct LoadSettings: Sendable {
    /// Milter connections used at once.
    public var connections: Int
    /// Messages sent on one milter connection before it is closed (as one SMTP session).
    public var messagesPerConnection: Int
    /// How many times the inputs are replayed.
    public var `repeat`: Int
    /// Seconds to replay the inputs over and over for, instead of ``repeat``.
    public var duration: Double?
    /// Messages started per second, whatever the latency (open loop); nil: as fast as replies come.
    public var rate: Double?
    /// Event loop threads; nil: the number of connections, at most 16.
    public var threads: Int?

    /// One connection, one message per connection, the inputs once, unpaced.
    public init(
        connections: Int = 1, messagesPerConnection: Int = 1, repeat: Int = 1, duration: Double? = nil,
        rate: Double? = nil, threads: Int? = nil
    ) {
        self.connections = connections
        self.messagesPerConnection = messagesPerConnection
        self.repeat = `repeat`
        self.duration = duration
        self.rate = rate
        self.threads = threads
    }

    /// The event loop threads to use.
    public var effectiveThreads: Int { threads ?? min(connections, 16) }
}
