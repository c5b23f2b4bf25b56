import Logging
import NIOCore

/// What every connection of a server shares: the classifier, the scheduler, options, observers and metrics.
struct ConnectionEnvironment: Sendable {
    let classifier: any MailClassifier
    let scheduler: ClassificationScheduler
    let options: ProtocolOptions
    let timeouts: ConnectionTimeouts
    let memory: MemoryBudget
    let ledger: MemoryLedger
    let logger: Logger
    let observer: (@Sendable (MailInfo, Decision) -> Void)?
    var metrics = ServerMetrics()
}

/// How long the server waits for the MTA.
public struct ConnectionTimeouts: Hashable, Sendable {
    /// The longest silence between messages (before OPTNEG, after end of message).
    public var idle: TimeAmount
    /// The longest silence inside a message, between MAIL and end of message.
    public var read: TimeAmount
    /// How long a new connection may take to send OPTNEG and CONNECT; past it the connection is closed,
    /// so that idle connections cannot hold the slots, nor connections refused because every slot is
    /// taken (they get their tempfail at CONNECT). Postfix and Sendmail send both at once.
    public var handshake: TimeAmount
    /// How long a frame may take to arrive once its first byte has; past it the connection is closed.
    /// Postfix and libmilter write each frame at once, so it only bounds a peer that trickles bytes,
    /// which the idle and read timeouts, counting whole commands, do not.
    public var frame: TimeAmount

    /// Creates timeouts; the defaults follow Postfix's own (300 s content timeout, longer between
    /// messages), with 10 s for a frame to arrive whole.
    public init(
        idle: TimeAmount = .seconds(900), read: TimeAmount = .seconds(300), handshake: TimeAmount = .seconds(5),
        frame: TimeAmount = .seconds(10)
    ) {
        self.idle = idle
        self.read = read
        self.handshake = handshake
        self.frame = frame
    }
}
