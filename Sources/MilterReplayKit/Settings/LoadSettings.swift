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
    /// Event loop threads carrying all connections (SwiftNIO); nil: a thread of its own per
    /// connection, with a blocking socket.
    public var threads: Int?
    /// Whether a blocking connection sends a transaction, or its own OPTNEG, CONNECT and HELO, whose
    /// exchange repeats one already judged from its record, comparing each reply with the recorded
    /// one (`MilterClient`'s `ExchangeMemoStore`); false judges every exchange with the full state
    /// machine.
    public var reusesExchanges: Bool

    /// One connection, one message per connection, the inputs once, unpaced.
    public init(
        connections: Int = 1, messagesPerConnection: Int = 1, repeat: Int = 1, duration: Double? = nil,
        rate: Double? = nil, threads: Int? = nil, reusesExchanges: Bool = true
    ) {
        self.reusesExchanges = reusesExchanges
        self.connections = connections
        self.messagesPerConnection = messagesPerConnection
        self.repeat = `repeat`
        self.duration = duration
        self.rate = rate
        self.threads = threads
    }
}
