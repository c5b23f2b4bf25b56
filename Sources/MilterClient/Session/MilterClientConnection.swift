import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore

/// One milter connection, as an MTA holds it for one SMTP connection: OPTNEG, CONNECT, HELO,
/// then any number of transactions, then QUIT.
///
/// The rules live in a pure state machine, `MTAConnectionStateMachine`; the actor only hands
/// it the caller's steps and the socket's events, and carries out the actions it returns.
/// Every reply is checked by `MTASession`; the first rule the milter breaks (or a timeout, or
/// EOF) becomes a ``Finding``, the socket is dropped, and from then on every step gets the
/// profile's default-action reply (tempfail), as Postfix does. Nothing here ever waits longer
/// than the profile's timeouts.
///
/// The connection is an actor whose executor is its channel's event loop: every step runs on
/// that thread and talks to the socket without a hop.
///
/// ```swift
/// let connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: 7044))
/// _ = await connection.connect()
/// _ = await connection.helo()
/// let result = await connection.send(message)
/// await connection.quit()
/// ```
public actor MilterClientConnection {
    /// The configuration in force.
    public let configuration: MilterClientConfiguration
    /// The SMTP client reported in CONNECT and HELO (after ``quitNewConnection()``, the next one's).
    public var client: SMTPClient { machine.client }
    /// The OPTNEG step.
    public var negotiation: StepRecord { machine.negotiation }
    /// Warnings from OPTNEG that do not stop the session (bits asked for but not offered).
    public var negotiationWarnings: [MilterProtocolError] { machine.negotiationWarnings }
    /// Findings outside any transaction (at CONNECT, HELO, QUIT).
    public var connectionFindings: [Finding] { machine.connectionFindings }
    /// The connection's number in this process, 1, 2, 3…, as it appears in the queue IDs of its
    /// transactions (the `i` macro: `4`, this number and the message's, five hex digits each).
    public nonisolated let number: UInt

    let channel: MilterChannel
    /// Every rule of the MTA side; the actor carries out what it decides.
    var machine: MTAConnectionStateMachine
    /// The caller of ``send(_:)`` waiting for its result, if any.
    var messageContinuation: UnsafeContinuation<TransactionResult, Never>?
    var eventHandlerInstalled = false
    /// The watch after QUIT (``MilterClientConfiguration/quitDrainTimeout``).
    var quitWatch = QuitWatch()
    /// Where ``xclient(_:)`` opens the next connection: the address and group this one was opened with (`nil` for
    /// a connection made over a channel).
    let reconnection: Reconnection?

    /// The address and event loop group a connection was opened with.
    struct Reconnection: Sendable {
        var address: MilterAddress
        var group: any EventLoopGroup
    }

    init(
        channel: MilterChannel, configuration: MilterClientConfiguration, client: SMTPClient,
        reconnection: Reconnection? = nil
    ) {
        self.channel = channel
        self.reconnection = reconnection
        self.executor = channel.channel.eventLoop.executor.asUnownedSerialExecutor()
        self.configuration = configuration
        self.machine = MTAConnectionStateMachine(
            configuration: configuration, client: client, allocator: channel.channel.allocator)
        // The loop's clock, which times the waits: a step's deadline and its waits' timers keep one time. The
        // same `NIODeadline.now()` on a socket's loop; on a NIOAsyncTestingChannel, the time the test advances
        // (with the real clock, a test starved of CPU for a minute found a step past its deadline).
        let eventLoop = channel.channel.eventLoop
        machine.now = { eventLoop.now }
        number = ConnectionTags.next()
        machine.connectionTag = number
    }

    /// The channel's event loop: the actor's executor.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor }

    /// The channel's event loop as an executor, worked out once: Swift asks for it at every hop.
    /// Unowned is safe: the channel, which the actor keeps, keeps its event loop.
    private nonisolated let executor: UnownedSerialExecutor

    /// Connects to a milter and negotiates. A refused negotiation is not thrown: it is a finding
    /// on ``negotiation``, and every later step gets the default action.
    public static func open(
        to address: MilterAddress, configuration: MilterClientConfiguration = MilterClientConfiguration(),
        client: SMTPClient = SMTPClient(), group: any EventLoopGroup = MilterClientDefaults.eventLoopGroup
    ) async throws(MilterConnectError) -> MilterClientConnection {
        let channel: MilterChannel
        do {
            channel = try await MilterChannel.connect(
                to: address, timeout: configuration.effectiveTimeouts.connect,
                maximumReplyLength: configuration.maximumReplyLength,
                maximumUnreadBytes: configuration.limits.maximumUnreadReplyBytes, tap: configuration.frameTap,
                group: group)
        } catch {
            throw MilterConnectError(
                address: address, connecting: error, timeout: configuration.effectiveTimeouts.connect)
        }
        let connection = MilterClientConnection(
            channel: channel, configuration: configuration, client: client,
            reconnection: Reconnection(address: address, group: group))
        await connection.negotiate()
        return connection
    }

    /// Negotiates over a channel that is already connected, such as a test's
    /// `NIOAsyncTestingChannel`: the reply decoder is added to its pipeline.
    package static func open(
        on channel: any Channel, configuration: MilterClientConfiguration = MilterClientConfiguration(),
        client: SMTPClient = SMTPClient()
    ) async throws -> MilterClientConnection {
        let wrapped = try await MilterChannel.wrapping(
            channel, maximumReplyLength: configuration.maximumReplyLength,
            maximumUnreadBytes: configuration.limits.maximumUnreadReplyBytes, tap: configuration.frameTap)
        let connection = MilterClientConnection(channel: wrapped, configuration: configuration, client: client)
        await connection.negotiate()
        return connection
    }

    /// The agreement, once negotiated.
    public var options: NegotiatedOptions? { machine.options }

    /// Whether a verdict for the whole connection (ACCEPT, REJECT, TEMPFAIL or SHUTDOWN at CONNECT or HELO, or
    /// a finding) ended the session: the MTA sends the milter nothing more until QUIT_NC or QUIT.
    package var sessionEnded: Bool { machine.status != .open }

    /// Whether a verdict ended the transaction under way (ACCEPT, DISCARD, REJECT or TEMPFAIL at a message step, or
    /// DATA with no recipient left): the MTA sends the milter nothing more of that message, only ABORT or the next
    /// MAIL.
    package var transactionEnded: Bool { machine.transaction.ending != nil }

    /// Whether the socket is still open: `false` once a verdict or a finding made the MTA close it, when even
    /// QUIT no longer goes.
    package var socketOpen: Bool { machine.socketOpen }

    private func negotiate() async {
        _ = await driveStep(machine.negotiationRequested())
    }

    /// Sends CONNECT with the client's address.
    @discardableResult
    public func connect() async -> StepRecord { await driveStep(machine.connectRequested()) }

    /// Sends HELO with the client's HELO name, or `name`. `extended` says whether the SMTP client greeted with EHLO
    /// (the default) or HELO: the milter gets the same HELO command either way, but EHLO makes the session ESMTP,
    /// which the MTA's own `Received:` header names (`with ESMTP`, else `with SMTP`; a HELO after an EHLO keeps
    /// ESMTP, as Postfix's `helo_cmd` does).
    @discardableResult
    public func helo(_ name: String? = nil, extended: Bool = true) async -> StepRecord {
        await driveStep(machine.heloRequested(name, extended: extended))
    }

    /// Sends an SMTP command the MTA does not know (UNKNOWN, version 3 and later).
    @discardableResult
    public func unknownCommand(_ line: String) async -> StepRecord {
        await driveStep(machine.unknownRequested(line))
    }

    /// Waits up to `duration` for a reply nobody asked for (to ABORT, a MACRO, an NR event, or a
    /// second final reply) and returns it as a finding. The wait ends at the first reply, so a
    /// generous bound costs nothing when the milter misbehaves; a well-behaved milter costs the
    /// whole wait. Without it such replies are still found, at the next command.
    public func listenForStrayReplies(for duration: TimeAmount) async -> Finding? {
        await driveFinding(machine.listenRequested(for: duration))
    }
}

/// Numbers the connections of the process, 1, 2, 3…: a queue ID holds its connection's number, so that every
/// message of a run gets its own (an object's address, used before, is reused once the object is freed).
enum ConnectionTags {
    private static let counter = NIOLockedValueBox<UInt>(0)

    static func next() -> UInt {
        counter.withLockedValue {
            $0 &+= 1
            return $0
        }
    }
}
