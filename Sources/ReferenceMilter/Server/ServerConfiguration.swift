import NIOCore
import NIOPosix

/// Everything a ``MilterServer`` is told, with safe defaults.
public struct ServerConfiguration: Sendable {
    /// Where to listen; the default is `127.0.0.1:7044`.
    public var address: ListenAddress
    /// How many classifications may run at once, each on its own thread. 1 (the default) classifies
    /// one message at a time, like srmilter's default.
    public var threads: Int
    /// The event loop threads; the default is one per core.
    public var eventLoopThreads: Int
    /// The longest a classifier call (or early check) may run before the failure verdict is sent.
    public var classifierTimeout: TimeAmount
    /// How long the MTA may stay silent.
    public var timeouts: ConnectionTimeouts
    /// How long a graceful shutdown waits for open connections before closing them.
    public var drainTimeout: TimeAmount
    /// The most connections served at once; one more closes the oldest connection that has not sent
    /// OPTNEG and takes its slot, or, when every connection has, gets a tempfail and is closed. The default is
    /// derived from the descriptor limit (``DescriptorLimit/connectionLimit(descriptors:)``).
    public var maximumConnections: Int
    /// The memory the data of one connection, and of all, may take.
    public var memory: MemoryBudget
    /// The mode, owner and group of a unix socket the server creates.
    public var unixSocket: UnixSocketOptions
    /// Protocol options: truncation, limits, the failure verdict.
    public var protocolOptions: ProtocolOptions
    /// How long, once the drain timeout has expired, a connection waits for its failure verdict to be written
    /// before it closes anyway (``DrainDeadline/writeTimeout``). Not configurable: tests lengthen it, so that an
    /// MTA they have reading late need not read within the default's 2 s on a loaded machine.
    var drainWriteTimeout = DrainDeadline.defaultWriteTimeout

    /// Creates a configuration.
    public init(
        address: ListenAddress = .default, threads: Int = 1, eventLoopThreads: Int = System.coreCount,
        classifierTimeout: TimeAmount = .seconds(60), timeouts: ConnectionTimeouts = ConnectionTimeouts(),
        drainTimeout: TimeAmount = .seconds(10), maximumConnections: Int = DescriptorLimit.connectionLimit(),
        protocolOptions: ProtocolOptions = ProtocolOptions(), memory: MemoryBudget = MemoryBudget(),
        unixSocket: UnixSocketOptions = UnixSocketOptions()
    ) {
        self.memory = memory
        self.unixSocket = unixSocket
        self.address = address
        self.threads = max(1, threads)
        self.eventLoopThreads = max(1, eventLoopThreads)
        self.classifierTimeout = classifierTimeout
        self.timeouts = timeouts
        self.drainTimeout = drainTimeout
        self.maximumConnections = max(1, maximumConnections)
        self.protocolOptions = protocolOptions
    }
}
